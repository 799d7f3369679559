"""Turning user text into safe, bounded Slack text."""

from __future__ import annotations

import re
from datetime import datetime

# How far back from a piece's end `escaped_pieces` looks for a space to split at.
SPLIT_LOOKBACK = 200
ELLIPSIS = "…"

_SLACK_ENTITY = re.compile(r"<([^<>]*)>")
_HTML_ENTITIES = (("&lt;", "<"), ("&gt;", ">"), ("&amp;", "&"))
_SPECIAL_MENTIONS = {"!channel": "@channel", "!here": "@here", "!everyone": "@everyone"}


def _plain_entity(match: re.Match[str]) -> str:
    inner = match.group(1)
    target, _, label = inner.partition("|")
    if target in _SPECIAL_MENTIONS:
        return _SPECIAL_MENTIONS[target]
    if target.startswith("!subteam^"):
        return "@" + (label or target.removeprefix("!subteam^"))
    if target.startswith("@"):
        return "@" + (label or target[1:])
    if target.startswith("#"):
        return "#" + (label or target[1:])
    if target.startswith("!"):
        return label or target[1:]
    return f"{label} ({target})" if label and label != target else target


# Control characters (all but tab and newline) and lone surrogates: PostgreSQL refuses NUL and
# surrogates outright, and none of them belongs in what a person meant to type.
_UNWANTED = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


def clean_input(text: str) -> str:
    """Text as a person typed it, less the characters no store keeps and no screen shows."""
    return _UNWANTED.sub("", text)


def slack_to_plain(text: str) -> str:
    """Decode Slack's message markup (entities, `<...>` links and mentions) into plain text.

    Stored text is plain so that every surface can escape it once, the same way.
    """
    decoded = _SLACK_ENTITY.sub(_plain_entity, text)
    for entity, char in _HTML_ENTITIES:
        decoded = decoded.replace(entity, char)
    return decoded


def escape(text: str) -> str:
    """Escape `&`, `<`, `>` so user text can never ping, link or format through the bot."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def truncate(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return text[: limit - len(ELLIPSIS)].rstrip() + ELLIPSIS


def truncate_escaped(escaped: str, limit: int) -> str:
    """Cut already-escaped text to `limit` characters without splitting an entity, a
    mention or a link in half."""
    if len(escaped) <= limit:
        return escaped
    cut = escaped[: limit - len(ELLIPSIS)]
    amp = cut.rfind("&")
    if amp != -1 and ";" not in cut[amp:]:
        cut = cut[:amp]
    opened = cut.rfind("<")
    if opened != -1 and ">" not in cut[opened:]:
        cut = cut[:opened]
    return cut.rstrip() + ELLIPSIS


def escape_truncate(text: str, limit: int) -> str:
    """Escape, then cut to `limit` characters without splitting an entity in half."""
    return truncate_escaped(escape(text), limit)


def escaped_pieces(text: str, limit: int, most: int) -> list[str]:
    """`text` escaped, in pieces of at most `limit` characters (each a section's text), split
    at a space or a line break where one is near; beyond `most` pieces it is cut."""
    pieces: list[str] = []
    rest = text
    while rest and len(pieces) < most:
        piece, size = 0, 0
        while piece < len(rest) and size + len(escape(rest[piece])) <= limit:
            size += len(escape(rest[piece]))
            piece += 1
        if piece < len(rest):
            gap = max(rest.rfind(" ", 0, piece), rest.rfind("\n", 0, piece))
            if gap >= 0 and gap > piece - SPLIT_LOOKBACK:
                piece = gap + 1
        pieces.append(escape(rest[:piece]))
        rest = rest[piece:]
    if rest:
        pieces[-1] = truncate_escaped(pieces[-1] + escape(rest[:1]), limit)
    return pieces


def first_line(text: str, limit: int) -> str:
    line = text.strip().splitlines()[0] if text.strip() else ""
    return truncate(" ".join(line.split()), limit)


def user_mention(user_id: str) -> str:
    return f"<@{user_id}>"


def slack_date(moment: datetime) -> str:
    """A date that each reader sees in their own time zone, with a UTC fallback."""
    fallback = moment.strftime("%Y-%m-%d %H:%M UTC")
    return f"<!date^{int(moment.timestamp())}^{{date_short_pretty}} at {{time}}|{fallback}>"


def format_duration(seconds: float | None) -> str:
    """A short human duration: 45s, 42m, 3h 05m, 2d 4h; "-" for no data."""
    if seconds is None:
        return "-"
    minutes = int(seconds // 60)
    if minutes < 1:
        return f"{int(seconds)}s"
    if minutes < 60:
        return f"{minutes}m"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours}h {minutes:02d}m"
    days, hours = divmod(hours, 24)
    return f"{days}d {hours}h"
