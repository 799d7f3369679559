"""The shapes of Slack's requests to an app, filled in for the sandbox's workspace."""

from __future__ import annotations

import time
from typing import Any

from bot.ids import CallbackId
from bot.sandbox import people


def slash_command(
    person: people.Person,
    *,
    channel: str,
    command: str,
    text: str,
    response_url: str,
    trigger_id: str,
) -> dict[str, str]:
    """A slash command's form fields; `text` already escaped as Slack escapes it."""
    return {
        "token": "sandbox",
        "team_id": people.TEAM_ID,
        "team_domain": "sandbox",
        "channel_id": channel,
        "channel_name": channel,
        "user_id": person.id,
        "user_name": person.handle,
        "command": command,
        "text": text,
        "api_app_id": people.APP_ID,
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": trigger_id,
    }


def interaction(person: people.Person, kind: str, *, trigger_id: str) -> dict[str, Any]:
    """What every `payload=` of `kind` (block_actions, view_submission, ...) carries."""
    return {
        "type": kind,
        "team": {"id": people.TEAM_ID, "domain": "sandbox"},
        "user": {
            "id": person.id,
            "username": person.handle,
            "name": person.handle,
            "team_id": people.TEAM_ID,
        },
        "api_app_id": people.APP_ID,
        "token": "sandbox",
        "trigger_id": trigger_id,
        "is_enterprise_install": False,
    }


def message_shortcut(
    person: people.Person,
    *,
    channel: str,
    message: dict[str, Any],
    thread: list[dict[str, Any]],
    trigger_id: str,
    response_url: str,
) -> dict[str, Any]:
    """The File a request shortcut, chosen on `message` in `channel` (in `thread`, which a
    message that starts one counts the replies of)."""
    starts_thread = message.get("thread_ts") in (None, message.get("ts"))
    replies = len(thread) - 1 if starts_thread else 0
    shown = {
        key: message[key] for key in ("ts", "user", "text", "thread_ts", "bot_id") if key in message
    }
    return {
        **interaction(person, "message_action", trigger_id=trigger_id),
        "callback_id": CallbackId.FILE_FROM_MESSAGE.value,
        "channel": {"id": channel, "name": channel},
        "message": {"type": "message", **shown, "reply_count": replies},
        "response_url": response_url,
    }


def event_envelope(event: dict[str, Any], *, event_id: str) -> dict[str, Any]:
    """An Events API delivery of `event`."""
    now = time.time()
    return {
        "token": "sandbox",
        "team_id": people.TEAM_ID,
        "api_app_id": people.APP_ID,
        "event": {**event, "event_ts": f"{now:.6f}"},
        "type": "event_callback",
        "event_id": event_id,
        "event_time": int(now),
        "authorizations": [
            {"team_id": people.TEAM_ID, "user_id": people.BOT_USER_ID, "is_bot": True}
        ],
    }
