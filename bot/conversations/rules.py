"""What a message in a request's conversation is, and which of them are relayed. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

# Agents write this first to keep a reply in the card's thread to themselves.
INTERNAL_PREFIX = "//"

# Metadata event types: the requester's DM thread of a request, keyed by the request, and
# each relayed copy, keyed by its row; `post_once` finds them by these.
CONVERSATION_TAG = "pulsedesk_conversation"
RELAY_TAG = "pulsedesk_relay"
# ... and the answer to a message to the app outside any request's thread, by that message.
WHERE_TO_WRITE_TAG = "pulsedesk_where_to_write"


class MessageChange(StrEnum):
    POSTED = "posted"
    EDITED = "edited"
    DELETED = "deleted"


@dataclass(frozen=True)
class ThreadMessage:
    """A person's message event, as far as the conversation cares: where it is, whose it is,
    and what it says now (plain text, Slack's markup decoded)."""

    team_id: str
    channel: str
    ts: str
    thread_ts: str | None
    user_id: str
    text: str
    change: MessageChange = MessageChange.POSTED
    # It carries files, which are not passed on.
    has_files: bool = False

    @property
    def is_reply(self) -> bool:
        return self.thread_ts is not None and self.thread_ts != self.ts

    @property
    def is_internal(self) -> bool:
        return self.text.lstrip().startswith(INTERNAL_PREFIX)

    @property
    def sent_at(self) -> datetime:
        return message_time(self.ts)

    @property
    def in_direct_message(self) -> bool:
        return self.channel.startswith("D")


def message_time(ts: str) -> datetime:
    """A Slack message timestamp as the moment it was sent."""
    try:
        return datetime.fromtimestamp(float(ts), tz=UTC)
    except (ValueError, OverflowError):
        return datetime.fromtimestamp(0, tz=UTC)


def message_key(ts: str) -> int:
    """A message timestamp as a number, to key a message tag by."""
    seconds, _, fraction = ts.partition(".")
    return int(seconds or 0) * 1_000_000 + int((fraction or "0")[:6].ljust(6, "0"))
