"""Kudos rules without Slack or a database: what a `/kudos` text says, who may be thanked,
the giver's day, and how the weekly digest names people without pinging everyone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from bot.domain.satisfaction import local_moment, zone_or_utc
from bot.errors import NotAllowed

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


def local_day(now: datetime, timezone: str | None) -> tuple[datetime, datetime]:
    """The giver's current calendar day in their own zone, as a UTC [start, end)."""
    zone = zone_or_utc(timezone)
    today = now.astimezone(zone).date()
    start = local_moment(today, time(0), zone).astimezone(UTC)
    end = local_moment(today + timedelta(days=1), time(0), zone).astimezone(UTC)
    return start, end


def local_month(now: datetime, timezone: str | None) -> tuple[datetime, datetime]:
    """The current calendar month in `timezone`, as a UTC [start, end)."""
    zone = zone_or_utc(timezone)
    today = now.astimezone(zone).date()
    first = today.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    start = local_moment(first, time(0), zone).astimezone(UTC)
    end = local_moment(following, time(0), zone).astimezone(UTC)
    return start, end


def per_hundred(kudos: int, handled: int) -> float | None:
    """Kudos per 100 requests handled, to one decimal; None when nothing was handled."""
    if handled == 0:
        return None
    exact = Decimal(100 * kudos) / Decimal(handled)
    return float(exact.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


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
