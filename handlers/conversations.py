"""Message events (`message.channels`, `message.groups`, `message.im`): replies in a card's
thread and in a requester's DM thread, with their edits and deletions, for the conversation
relay. Every message in a channel the bot is in arrives here; only replies in threads, edits
and deletions are kept as work."""

from __future__ import annotations

from typing import Any

from slack_bolt import App

from bot.conversations.flows import Conversations
from bot.conversations.rules import MessageChange, ThreadMessage
from bot.ids import CONVERSATION_ID, MESSAGE_TS, USER_ID
from bot.services import Services
from bot.text import clean_input, slack_to_plain
from handlers.fields import dict_of, string, team_id_of
from handlers.intake import durable

# A person's message; a file shared with a comment is one too, and a reply also sent to the
# channel is still a reply.
PERSON_SUBTYPES = frozenset({"", "file_share", "thread_broadcast"})


def _ts(value: object) -> str | None:
    text = string(value)
    return text if MESSAGE_TS.match(text) else None


def _by_a_person(message: dict[str, Any]) -> bool:
    """Not an app's or a bot's message, the relay's own copies above all."""
    return not message.get("bot_id") and bool(USER_ID.match(string(message.get("user"))))


def _message(
    team_id: str, channel: str, message: dict[str, Any], change: MessageChange, *, ts: object
) -> ThreadMessage | None:
    at = _ts(ts)
    if at is None or not _by_a_person(message):
        return None
    return ThreadMessage(
        team_id=team_id,
        channel=channel,
        ts=at,
        thread_ts=_ts(message.get("thread_ts")),
        user_id=string(message.get("user")),
        text=slack_to_plain(clean_input(string(message.get("text")))),
        change=change,
        has_files=bool(message.get("files")),
    )


def parse_thread_message(body: dict[str, Any]) -> ThreadMessage | None:
    """The message event as the relay reads it; None for anything it has no use for."""
    event = dict_of(body.get("event"))
    channel = string(event.get("channel"))
    if event.get("type") != "message" or not CONVERSATION_ID.match(channel):
        return None
    team_id = team_id_of(body)
    subtype = string(event.get("subtype"))
    if subtype == "message_changed":
        edited = dict_of(event.get("message"))
        return _message(team_id, channel, edited, MessageChange.EDITED, ts=edited.get("ts"))
    if subtype == "message_deleted":
        gone = dict_of(event.get("previous_message"))
        return _message(team_id, channel, gone, MessageChange.DELETED, ts=event.get("deleted_ts"))
    if subtype not in PERSON_SUBTYPES:
        return None
    return _message(team_id, channel, event, MessageChange.POSTED, ts=event.get("ts"))


def worth_keeping(body: dict[str, Any]) -> bool:
    """A reply in a thread, a message to the app, or an edit or deletion (of what may have
    been relayed)."""
    message = parse_thread_message(body)
    if message is None:
        return False
    return (
        message.is_reply or message.in_direct_message or message.change is not MessageChange.POSTED
    )


def handle_message(body: dict[str, Any], *, conversations: Conversations) -> None:
    message = parse_thread_message(body)
    if message is not None:
        conversations.on_message(message)


def register(app: App, services: Services) -> None:
    app.event("message")(
        durable(
            services.intake,
            "conversation_message",
            handle_message,
            # Nobody asked the bot for anything: failures are retried, not answered.
            answer_with=None,
            keep=worth_keeping,
            retried=True,
            conversations=services.conversations,
        )
    )
