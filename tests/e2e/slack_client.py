"""Sends the app what Slack sends: signed form posts, `payload=` interactivity, JSON events."""

from __future__ import annotations

import itertools
import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from bot.sandbox.sender import sign

_ids = itertools.count(1)


@dataclass
class HttpResult:
    status: int
    body: str
    headers: dict[str, str]

    def json(self) -> Any:
        return json.loads(self.body)


class SlackClient:
    def __init__(self, *, url: str, signing_secret: str, team_id: str, response_base: str):
        self.url = url
        self.signing_secret = signing_secret
        self.team_id = team_id
        self.response_base = response_base

    # -- transport -----------------------------------------------------------------------------
    def post(
        self,
        body: bytes,
        *,
        content_type: str,
        headers: dict[str, str] | None = None,
        timestamp: int | None = None,
        signature: str | None = None,
    ) -> HttpResult:
        ts = str(int(time.time()) if timestamp is None else timestamp)
        all_headers = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": signature or sign(self.signing_secret, ts, body),
            **(headers or {}),
        }
        request = urllib.request.Request(self.url, data=body, headers=all_headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return HttpResult(response.status, response.read().decode(), dict(response.headers))
        except urllib.error.HTTPError as error:
            return HttpResult(error.code, error.read().decode(), dict(error.headers))

    def post_form(self, fields: dict[str, str], **kwargs: Any) -> HttpResult:
        return self.post(
            urlencode(fields).encode(), content_type="application/x-www-form-urlencoded", **kwargs
        )

    # -- payloads ------------------------------------------------------------------------------
    def slash_command_fields(
        self,
        text: str,
        *,
        user: str = "U0ALICE",
        channel: str = "C0GENERAL",
        command: str = "/request",
        trigger_id: str | None = None,
    ) -> dict[str, str]:
        n = next(_ids)
        return {
            "token": "legacy-verification-token",
            "team_id": self.team_id,
            "team_domain": "test",
            "channel_id": channel,
            "channel_name": "general",
            "user_id": user,
            "user_name": user.lower(),
            "command": command,
            "text": text,
            "api_app_id": "A0PULSE",
            "is_enterprise_install": "false",
            "response_url": f"{self.response_base}command-{n}",
            "trigger_id": trigger_id or f"trigger-{n}",
        }

    def slash_command(self, text: str, **kwargs: Any) -> HttpResult:
        headers = kwargs.pop("headers", None)
        return self.post_form(self.slash_command_fields(text, **kwargs), headers=headers)

    def block_action(
        self,
        action_id: str,
        *,
        user: str,
        value: str | None = None,
        block_id: str = "b",
        selected_user: str | None = None,
        channel: str = "C0IT000001",
        message_ts: str = "1700000000.000001",
        trigger_id: str | None = None,
    ) -> HttpResult:
        n = next(_ids)
        action: dict[str, Any] = {
            "action_id": action_id,
            "block_id": block_id,
            "type": "users_select" if selected_user else "button",
            "action_ts": "1700000000.1",
        }
        if value is not None:
            action["value"] = value
        if selected_user is not None:
            action["selected_user"] = selected_user
        payload = {
            "type": "block_actions",
            "team": {"id": self.team_id, "domain": "test"},
            "user": {"id": user, "username": user.lower(), "team_id": self.team_id},
            "api_app_id": "A0PULSE",
            "token": "legacy-verification-token",
            "container": {"type": "message", "message_ts": message_ts, "channel_id": channel},
            "trigger_id": trigger_id or f"trigger-action-{n}",
            "channel": {"id": channel, "name": "channel"},
            "message": {"ts": message_ts, "text": "card", "blocks": []},
            "response_url": f"{self.response_base}action-{n}",
            "actions": [action],
        }
        return self.post_form({"payload": json.dumps(payload)})

    def view_submission(
        self,
        *,
        user: str = "U0ALICE",
        view_id: str = "V0FORM1",
        department: str | None = "it",
        description: str | None = "My laptop will not boot",
        urgency: str | None = "normal",
        callback_id: str = "request_new",
        private_metadata: str = '{"channel": "C0GENERAL"}',
        headers: dict[str, str] | None = None,
        more_values: dict[str, Any] | None = None,
    ) -> HttpResult:
        """Submit the new-request form; `more_values` are inputs beyond its own three."""

        def selected(value: str | None) -> dict[str, Any]:
            return {
                "selected_option": {"value": value, "text": {"type": "plain_text", "text": value}}
                if value
                else None
            }

        payload = {
            "type": "view_submission",
            "team": {"id": self.team_id, "domain": "test"},
            "user": {"id": user, "username": user.lower(), "team_id": self.team_id},
            "api_app_id": "A0PULSE",
            "token": "legacy-verification-token",
            "trigger_id": f"trigger-view-{next(_ids)}",
            "view": {
                "id": view_id,
                "type": "modal",
                "callback_id": callback_id,
                "private_metadata": private_metadata,
                "state": {
                    "values": {
                        "department": {
                            "request_department": {"type": "static_select", **selected(department)}
                        },
                        "description": {
                            "request_description": {
                                "type": "plain_text_input",
                                "value": description,
                            }
                        },
                        "urgency": {
                            "request_urgency": {"type": "radio_buttons", **selected(urgency)}
                        },
                        **(more_values or {}),
                    }
                },
            },
            "response_urls": [],
        }
        return self.post_form({"payload": json.dumps(payload)}, headers=headers)

    def _interaction(self, kind: str, user: str, **fields: Any) -> dict[str, Any]:
        return {
            "type": kind,
            "team": {"id": self.team_id, "domain": "test"},
            "user": {"id": user, "username": user.lower(), "team_id": self.team_id},
            "api_app_id": "A0PULSE",
            "token": "legacy-verification-token",
            "trigger_id": f"trigger-{kind}-{next(_ids)}",
            **fields,
        }

    def submit_view(
        self, view: dict[str, Any], values: dict[str, Any], *, user: str = "U0ALICE"
    ) -> HttpResult:
        """Submit a modal as the app drew it (its id, hash and metadata), holding `values`
        (by block id, then action id, as Slack's `state.values`)."""
        submitted = {**view, "state": {"values": values}}
        payload = self._interaction("view_submission", user, view=submitted, response_urls=[])
        return self.post_form({"payload": json.dumps(payload)})

    def view_action(
        self,
        view: dict[str, Any],
        action: dict[str, Any],
        values: dict[str, Any],
        *,
        user: str = "U0ALICE",
    ) -> HttpResult:
        """`action` taken in an open modal (a dispatched input), whose state is `values`."""
        payload = self._interaction(
            "block_actions",
            user,
            container={"type": "view", "view_id": view["id"]},
            view={**view, "state": {"values": values}},
            actions=[{**action, "action_ts": f"{time.time():.6f}"}],
        )
        return self.post_form({"payload": json.dumps(payload)})

    def comment_submission(
        self, *, user: str, pulse_id: int, comment: str | None, view_id: str = "V0COMMENT"
    ) -> HttpResult:
        """Submit the satisfaction comment modal."""
        payload = {
            "type": "view_submission",
            "team": {"id": self.team_id, "domain": "test"},
            "user": {"id": user, "username": user.lower(), "team_id": self.team_id},
            "api_app_id": "A0PULSE",
            "token": "legacy-verification-token",
            "trigger_id": f"trigger-view-{next(_ids)}",
            "view": {
                "id": view_id,
                "type": "modal",
                "callback_id": "satisfaction_comment",
                "private_metadata": json.dumps({"pulse": pulse_id}),
                "state": {
                    "values": {
                        "pulse_comment": {
                            "satisfaction_comment_text": {
                                "type": "plain_text_input",
                                "value": comment,
                            }
                        }
                    }
                },
            },
            "response_urls": [],
        }
        return self.post_form({"payload": json.dumps(payload)})

    def reaction(
        self,
        reaction: str,
        *,
        user: str,
        channel: str,
        ts: str,
        added: bool = True,
        event_id: str | None = None,
        item_user: str = "U0BOT",
        event_ts: str | None = None,
    ) -> HttpResult:
        """A reaction_added (or, with added=False, reaction_removed) event on a message
        written by `item_user`."""
        event = {
            "type": "reaction_added" if added else "reaction_removed",
            "user": user,
            "reaction": reaction,
            "item_user": item_user,
            "item": {"type": "message", "channel": channel, "ts": ts},
            "event_ts": event_ts or f"{time.time():.6f}",
        }
        return self.event(event, event_id=event_id)

    def event(
        self,
        event: dict[str, Any],
        *,
        event_id: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> HttpResult:
        body = {
            "token": "legacy-verification-token",
            "team_id": self.team_id,
            "api_app_id": "A0PULSE",
            "event": event,
            "type": "event_callback",
            "event_id": event_id or f"Ev{next(_ids):08d}",
            "event_time": int(time.time()),
            "authorizations": [{"team_id": self.team_id, "user_id": "U0BOT", "is_bot": True}],
        }
        return self.post(
            json.dumps(body).encode(), content_type="application/json", headers=headers
        )
