"""`/kudos` text as Slack sends it with escaping on, read into who is thanked, for what,
and the company value it names."""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.blocks.text import slack_to_plain
from bot.domain.kudos import KudosDraft

_MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^<>]*)?>")
# Between two leading mentions: "<@A>, <@B>", "<@A> and <@B>", "<@A> &amp; <@B>".
_JOINER = re.compile(r"\s*(?:[,;]\s*)?(?:(?:and\b|&amp;)\s*)?", re.IGNORECASE)
# After the last one: "<@A>: thanks", "<@A>, thanks" (but ":tada:" is the message's own).
_LEAD_IN = re.compile(r"^\s*[,;:](?=\s|$)")
# Not inside a word, a URL ("/values/#ownership") or an entity.
_TAG = re.compile(r"(?<![\w#&/=?.])#([A-Za-z0-9][A-Za-z0-9_-]*)")
_DOUBLE_SPACE = re.compile(r"[ \t]{2,}")


def _plain_with_mentions(raw: str) -> str:
    """Slack markup decoded to plain text, except user mentions, normalised to `<@U123>`."""
    parts: list[str] = []
    last = 0
    for match in _MENTION.finditer(raw):
        parts.append(slack_to_plain(raw[last : match.start()]))
        parts.append(f"<@{match.group(1)}>")
        last = match.end()
    parts.append(slack_to_plain(raw[last:]))
    return "".join(parts)


def _take_value(message: str, values: Sequence[str]) -> tuple[str, str | None]:
    """The first `#tag` naming a company value, taken out of the message; other tags stay."""
    known = {value.lower() for value in values}
    for match in _TAG.finditer(message):
        tag = match.group(1).lower()
        if tag in known:
            rest = message[: match.start()].rstrip(" \t") + message[match.end() :]
            return _DOUBLE_SPACE.sub(" ", rest).strip(), tag
    return message, None


def parse_kudos(raw: str, values: Sequence[str] = ()) -> KudosDraft:
    """Parse `/kudos` text as Slack sends it with escaping on: `<@U123>` or `<@U123|name>`
    mentions, `&lt;`-style entities. Every mentioned person is a recipient, once, in order."""
    recipients = tuple(dict.fromkeys(match.group(1) for match in _MENTION.finditer(raw)))
    body = raw.strip()
    # The names in front are who is thanked, shown apart; mentions inside the text stay.
    while (match := _MENTION.match(body)) is not None:
        rest = body[match.end() :]
        joiner = _JOINER.match(rest)
        after = rest[joiner.end() :] if joiner else rest
        if _MENTION.match(after):
            body = after
        else:
            body = _LEAD_IN.sub("", rest).strip()
            break
    message, value = _take_value(_plain_with_mentions(body).strip(), values)
    return KudosDraft(recipients=recipients, message=message.strip(), value=value)
