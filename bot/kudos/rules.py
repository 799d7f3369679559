"""Kudos rules without Slack or a database: what a `/kudos` text says, who may be thanked,
how many a giver has left today, and the values kudos are shown as."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from bot.calendar import WeeklySchedule
from bot.errors import NotAllowed
from bot.requests.rules import RequestSnapshot
from bot.text import slack_to_plain

DEFAULT_KUDOS_EMOJI = "clap"
DEFAULT_DAILY_LIMIT = 5
# Like request text: Slack's input limit, refused beyond rather than cut.
MESSAGE_MAX = 3000
VALUE_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,31}$"


class KudosSubcommand(StrEnum):
    STATUS = "status"
    TOP = "top"
    HELP = "help"
    GIVE = "give"


class KudosSource(StrEnum):
    COMMAND = "command"
    REQUEST = "request"
    REACTION = "reaction"


@dataclass(frozen=True)
class KudosDraft:
    """What a `/kudos` text asks: who is thanked, for what, and the company value if any.
    `message` is plain text except for recipients' mentions, kept as `<@U123>`."""

    recipients: tuple[str, ...]
    message: str
    value: str | None


def parse_subcommand(raw: str) -> KudosSubcommand:
    word = raw.strip().lower()
    if not word:
        return KudosSubcommand.STATUS
    if word in (KudosSubcommand.TOP, KudosSubcommand.HELP):
        return KudosSubcommand(word)
    return KudosSubcommand.GIVE


def check_draft(draft: KudosDraft, *, giver_id: str) -> None:
    """The rules a draft breaks on its own, each refused with what to do instead."""
    if not draft.recipients:
        raise NotAllowed(
            "Mention who you're thanking, then say what for: "
            "`/kudos @name thanks for sorting out my laptop so quickly`."
        )
    if giver_id in draft.recipients:
        raise NotAllowed(
            "Kudos are for thanking others, so you can't send them to yourself. "
            "Take yourself out and send it again."
        )
    if not draft.message:
        raise NotAllowed(
            "Say what you're thanking them for: `/kudos @name thanks for ...`. "
            "A few words make it mean much more."
        )
    if len(draft.message) > MESSAGE_MAX:
        raise NotAllowed(f"Keep the message under {MESSAGE_MAX} characters.")


def check_daily_limit(*, given_today: int, asked: int, limit: int) -> None:
    left = max(limit - given_today, 0)
    if asked <= left:
        return
    if left == 0:
        raise NotAllowed(
            f"You've sent all {limit} kudos you can give today. They refill at midnight "
            "your time: thank the rest tomorrow."
        )
    people = "person" if left == 1 else "people"
    raise NotAllowed(
        f"You can thank {left} more {people} today (up to {limit} a day), "
        f"and this names {asked}. Send it to fewer people, or to the rest tomorrow."
    )


@dataclass(frozen=True)
class ShoutoutSnapshot:
    id: int
    team_id: str
    giver_id: str
    source: KudosSource
    message: str
    value: str | None
    request_id: int | None
    recipients: tuple[str, ...]
    # Recipients who have not been sent the DM that links to it yet.
    unnotified: tuple[str, ...]
    post_claimed_at: datetime | None
    channel_id: str | None
    ts: str | None
    permalink: str | None

    @property
    def posted(self) -> bool:
        return self.ts is not None


@dataclass(frozen=True)
class GivenKudos:
    recipient_id: str
    given_at: datetime
    source: KudosSource
    value: str | None


@dataclass(frozen=True)
class Tally:
    """Who received and who gave over a window, most first (ties: earliest first)."""

    receivers: list[tuple[str, int]]
    givers: list[tuple[str, int]]
    shoutouts: int
    kudos: int


# Metadata event types by which `post_once` finds a shout-out, or a recipient's DM, again.
SHOUTOUT_TAG = "pulsedesk_shoutout"
RECIPIENT_DM_TAG = "pulsedesk_kudos_dm"
REACTION_BATCH_TAG = "pulsedesk_kudos_reactions"
DIGEST_TAG = "pulsedesk_kudos_digest"


class KudosJob(StrEnum):
    ANNOUNCE = "kudos.announce"
    REACTION_BATCH = "kudos.reaction_batch"
    DIGEST = "kudos.digest"


@dataclass(frozen=True)
class ReactionKudos:
    id: int
    giver_id: str
    recipient_id: str
    channel_id: str
    ts: str


class ReactionChange(StrEnum):
    GIVEN = "given"
    WITHDRAWN = "withdrawn"
    UNCHANGED = "unchanged"


KUDOS_OFF = (
    "Kudos are not set up in this workspace yet: an admin sets KUDOS_CHANNEL to the channel "
    "where shout-outs go."
)


@dataclass(frozen=True)
class KudosPolicy:
    # None: kudos are not set up (KUDOS_CHANNEL unset).
    channel_id: str | None
    emoji: str
    daily_limit: int
    digest_schedule: WeeklySchedule
    digest_timezone: str
    values: tuple[str, ...] = ()


@dataclass(frozen=True)
class GiveOutcome:
    shoutout: ShoutoutSnapshot
    channel_id: str
    left: int
    limit: int
    # False: saved, and its job will post it shortly.
    posted: bool


@dataclass(frozen=True)
class KudosStatus:
    left: int
    limit: int
    resets_at: datetime
    recent: list[GivenKudos]


@dataclass(frozen=True)
class DepartmentKudos:
    name: str
    kudos: int
    handled: int
    per_hundred: float | None


@dataclass(frozen=True)
class KudosTop:
    month: str
    tally: Tally
    departments: list[DepartmentKudos]


@dataclass(frozen=True)
class RequestKudosForm:
    request: RequestSnapshot
    recipient_id: str
    recipient_name: str


# The name to offer "Send kudos to …" for on a resolved request's messages, or None.
KudosOffer = Callable[[RequestSnapshot], str | None]


def resolver_of(request: RequestSnapshot) -> str | None:
    """Whom a request's thank-you goes to: who resolved it, unless that was the requester."""
    resolver = request.closed_by_id or request.assignee_id
    return resolver if resolver and resolver != request.requester_id else None


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
