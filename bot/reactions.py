"""Emoji reactions as the bot reads them: one parsed Events API reaction, and emoji names."""

from __future__ import annotations

import re
from dataclasses import dataclass

EMOJI_NAME = re.compile(r"^[a-z0-9_+\-']+$")
_SKIN_TONE = re.compile(r"::skin-tone-\d$")


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
