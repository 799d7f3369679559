"""Slack's request signature and payload shapes, checked on raw bytes before anything parses
them."""

from __future__ import annotations

import hashlib
import hmac
import json
from urllib.parse import urlencode

import pytest

from bot.server import SIGNATURE_MAX_AGE_SECONDS, payload_problem, signature_problem

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
NOW = 1_800_000_000.0
BODY = b"token=x&team_id=T1&command=%2Frequest&text=it+laptop"


def _sign(body: bytes, timestamp: str, secret: str = SECRET) -> str:
    base = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def test_slacks_published_example_is_valid() -> None:
    # The example of Slack's "Verifying requests from Slack" page.
    body = (
        b"token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&"
        b"channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&"
        b"command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2F"
        b"commands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&"
        b"trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
    )
    signature = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"
    assert (
        signature_problem(
            body, timestamp="1531420618", signature=signature, secret=SECRET, now=1531420618
        )
        is None
    )


@pytest.mark.parametrize(
    ("timestamp", "signature", "problem"),
    [
        (str(int(NOW)), _sign(BODY, str(int(NOW))), None),
        (str(int(NOW) - SIGNATURE_MAX_AGE_SECONDS), _sign(BODY, str(int(NOW) - 300)), None),
        (str(int(NOW) - 301), _sign(BODY, str(int(NOW) - 301)), "stale"),
        (str(int(NOW) + 301), _sign(BODY, str(int(NOW) + 301)), "stale"),
        ("soon", _sign(BODY, "soon"), "bad_timestamp"),
        ("", "v0=", "bad_timestamp"),
        (str(int(NOW)), _sign(BODY + b"&more", str(int(NOW))), "bad_signature"),
        (str(int(NOW)), _sign(BODY, str(int(NOW)), secret="other"), "bad_signature"),
        (str(int(NOW)), "v0=" + "0" * 64, "bad_signature"),
        (str(int(NOW)), "v0=\xff\xfe", "bad_signature"),
        (str(int(NOW)), "", "bad_signature"),
    ],
)
def test_a_signature_is_checked_on_the_raw_body(
    timestamp: str, signature: str, problem: str | None
) -> None:
    found = signature_problem(
        BODY, timestamp=timestamp, signature=signature, secret=SECRET, now=NOW
    )
    assert found == problem


FORM = "application/x-www-form-urlencoded"


@pytest.mark.parametrize(
    ("body", "content_type", "problem"),
    [
        (BODY, FORM, None),
        (json.dumps({"type": "event_callback", "event": {}}).encode(), "application/json", None),
        (urlencode({"payload": json.dumps({"type": "block_actions"})}).encode(), FORM, None),
        (b"", FORM, None),
        (b"{nope", "application/json", "not_json"),
        (b"[1, 2]", "application/json", "not_an_object"),
        (b"{", FORM, "not_json"),
        (urlencode({"payload": "[]"}).encode(), FORM, "not_an_object"),
        (urlencode({"payload": "{"}).encode(), FORM, "not_json"),
        (("[" * 50_000).encode(), "application/json", "not_json"),
        (b"text=\xff", FORM, "not_utf8"),
    ],
)
def test_only_slacks_payload_shapes_reach_bolt(
    body: bytes, content_type: str, problem: str | None
) -> None:
    assert payload_problem(body, content_type) == problem
