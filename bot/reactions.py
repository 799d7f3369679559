"""Emoji reactions as the bot reads them: one parsed Events API reaction, and emoji names."""

from __future__ import annotations

import re
from dataclasses import dataclass

EMOJI_NAME = re.compile(r"^[a-z0-9_+\-']+$")
_SKIN_TONE = re.compile(r"::skin-tone-\d$")


def read_emoji_name(value: object, *, like: str, blank_ok: bool = False) -> object:
    """An emoji name as a setting gives it (`:Ticket:` is `ticket`), or ValueError naming
    what one looks `like`; anything but text is left for its type check to refuse."""
    if not isinstance(value, str):
        return value
    name = value.strip().strip(":").lower()
    if (name or not blank_ok) and not EMOJI_NAME.match(name):
        raise ValueError(f"'{value}' is not an emoji name like {like}")
    return name


def base_emoji(reaction: str) -> str:
    """`+1::skin-tone-3` and `+1` are the same answer."""
    return _SKIN_TONE.sub("", reaction)


@dataclass(frozen=True)
class Reaction:
    team_id: str
    event_id: str
    user_id: str
    reaction: str
    channel_id: str
    ts: str
    added: bool
    # When Slack saw the reaction; orders deliveries that arrive out of order.
    event_ts: str | None = None
    # Who wrote the message reacted to.
    item_user: str | None = None
