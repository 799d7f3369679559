"""Slack's requests to the app: signed with the signing secret, as Slack signs them."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

# Slack waits 3 seconds for an ack; the sandbox is more patient, and says so when it gives up.
ACK_TIMEOUT_SECONDS = 10
NO_ANSWER = 0


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """Slack's v0 signature of a request body."""
    base = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


@dataclass
class Answer:
    status: int
    body: str

    def json(self) -> Any:
        return json.loads(self.body) if self.body.strip().startswith("{") else None


class Sender:
    def __init__(self, *, url: str, signing_secret: str) -> None:
        if not url.startswith("http://127.0.0.1:"):
            raise ValueError("the sandbox sends only to the bot on this machine")
        self.url = url
        self._secret = signing_secret

    def post(self, body: bytes, *, content_type: str) -> Answer:
        timestamp = str(int(time.time()))
        headers = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": timestamp,
            "X-Slack-Signature": sign(self._secret, timestamp, body),
        }
        # The URL is the bot's on 127.0.0.1, checked when the sender was made.
        request = urllib.request.Request(self.url, data=body, headers=headers, method="POST")  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=ACK_TIMEOUT_SECONDS) as response:  # noqa: S310
                return Answer(response.status, response.read().decode())
        except urllib.error.HTTPError as error:
            return Answer(error.code, error.read().decode())
        except OSError as error:
            # No answer at all (the app is down, or slower than the sandbox waits): what
            # Slack would show the person as a timeout.
            return Answer(NO_ANSWER, str(error))

    def form(self, fields: dict[str, str]) -> Answer:
        """A slash command: the fields form-encoded."""
        return self.post(
            urlencode(fields).encode(), content_type="application/x-www-form-urlencoded"
        )

    def interaction(self, payload: dict[str, Any]) -> Answer:
        """A click or a form: `payload=` with the JSON, form-encoded."""
        return self.form({"payload": json.dumps(payload)})

    def event(self, envelope: dict[str, Any]) -> Answer:
        return self.post(json.dumps(envelope).encode(), content_type="application/json")
