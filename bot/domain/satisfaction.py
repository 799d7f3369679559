"""When a satisfaction pulse may be sent, and what an emoji or a button means as a rating.

Pure rules: times come in as aware datetimes, time zones as IANA names, nothing is fetched.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

RATING_MIN = 1
RATING_MAX = 5
LOW_RATING_MAX = 2
PULSE_ANSWER_WINDOW = timedelta(days=5)

DEFAULT_RATING_EMOJI = (
    "rage=1,slightly_frowning_face=2,neutral_face=3,slightly_smiling_face=4,star-struck=5,+1=5,-1=1"
)
DEFAULT_WORKING_HOURS = "mon-fri 09:00-18:00"

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_EMOJI_NAME = re.compile(r"^[a-z0-9_+\-']+$")
_SKIN_TONE = re.compile(r"::skin-tone-\d$")
_TIME = re.compile(r"^([0-9]{1,2}):([0-9]{2})$")
_DIGITS = re.compile(r"^[0-9]+$")


class RuleError(ValueError):
    """A rule's text form is invalid; the message says what is expected."""


def base_emoji(reaction: str) -> str:
    """`+1::skin-tone-3` and `+1` are the same answer."""
    return _SKIN_TONE.sub("", reaction)


def is_low(score: int) -> bool:
    """A rating that starts the recovery loop."""
    return score <= LOW_RATING_MAX


@dataclass(frozen=True)
class RatingScale:
    """Emoji name → rating 1-5. The first emoji listed for a score labels its button."""

    scores: Mapping[str, int]

    @classmethod
    def parse(cls, text: str) -> RatingScale:
        scores: dict[str, int] = {}
        for item in (part.strip() for part in text.split(",")):
            if not item:
                continue
            name, sep, value = item.partition("=")
            name = name.strip().strip(":").lower()
            if not sep or not _EMOJI_NAME.match(name):
                raise RuleError(f"'{item}' is not emoji=score, e.g. star-struck=5")
            digits = value.strip()
            if not _DIGITS.match(digits) or not RATING_MIN <= int(digits) <= RATING_MAX:
                raise RuleError(f"'{item}': the score must be a whole number from 1 to 5")
            if name in scores:
                raise RuleError(f"'{name}' is listed twice")
            scores[name] = int(value)
        if not scores:
            raise RuleError("no emoji given; use emoji=score pairs separated by commas")
        return cls(scores)

    def score_of(self, reaction: str) -> int | None:
        """The rating a reaction stands for; skin tones count as the base emoji."""
        return self.scores.get(base_emoji(reaction))

    def emoji_for(self, score: int) -> str | None:
        return next((name for name, value in self.scores.items() if value == score), None)


@dataclass(frozen=True)
class WorkingHours:
    """Days of the week (0 = Monday) and a daily window in the person's own time zone.

    `end` None means the window runs to midnight (written 24:00).
    """

    days: frozenset[int]
    start: time
    end: time | None

    @classmethod
    def parse(cls, text: str) -> WorkingHours:
        parts = text.strip().lower().split()
        if len(parts) != 2:
            raise RuleError(f"'{text}' is not like 'mon-fri 09:00-18:00'")
        days = _parse_days(parts[0])
        start_text, sep, end_text = parts[1].partition("-")
        if not sep:
            raise RuleError(f"'{parts[1]}' is not a time range like 09:00-18:00")
        start = _parse_time(start_text)
        end = None if end_text == "24:00" else _parse_time(end_text)
        if start is None or (end is not None and end <= start):
            raise RuleError(f"'{parts[1]}': the window must start before it ends")
        return cls(days=days, start=start, end=end)

    def contains(self, local: datetime) -> bool:
        if local.weekday() not in self.days:
            return False
        clock = local.time().replace(tzinfo=None)
        return clock >= self.start and (self.end is None or clock < self.end)

    def next_opening(self, at: datetime, timezone: str | None) -> datetime:
        """`at` if it is inside working hours in `timezone`, otherwise the next time the
        window opens there, in UTC. An unknown time zone counts as UTC."""
        zone = zone_or_utc(timezone)
        local = at.astimezone(zone)
        if self.contains(local):
            return at
        day = local.date()
        for offset in range(8):
            candidate_day = day + timedelta(days=offset)
            if candidate_day.weekday() not in self.days:
                continue
            opening = local_moment(candidate_day, self.start, zone)
            if opening > at:
                return opening.astimezone(UTC)
        raise AssertionError("working hours name at least one day")  # parse guarantees it


def _parse_days(text: str) -> frozenset[int]:
    days: set[int] = set()
    for part in text.split(","):
        first, sep, last = part.partition("-")
        if first not in DAY_NAMES or (sep and last not in DAY_NAMES):
            raise RuleError(f"'{part}' is not a day or a range like mon-fri")
        start = DAY_NAMES.index(first)
        stop = DAY_NAMES.index(last) if sep else start
        span = (stop - start) % 7
        days.update((start + step) % 7 for step in range(span + 1))
    return frozenset(days)


def _parse_time(text: str) -> time | None:
    match = _TIME.match(text)
    if not match:
        raise RuleError(f"'{text}' is not a time like 09:00")
    hours, minutes = int(match.group(1)), int(match.group(2))
    if hours > 23 or minutes > 59:
        raise RuleError(f"'{text}' is not a time of day")
    return time(hours, minutes)


def local_moment(day: date, at: time, zone: ZoneInfo) -> datetime:
    """The first instant of `day` whose wall clock in `zone` reads `at` or later: `at` itself,
    or, when a DST jump skips it, the jump."""
    naive = datetime.combine(day, at)
    moment = naive.replace(tzinfo=zone)
    if moment.astimezone(UTC).astimezone(zone).replace(tzinfo=None) == naive:
        return moment
    # In the gap, fold=1 reads the wall clock with the offset after the jump (an instant
    # before it) and fold=0 with the offset before (an instant after): the jump is between.
    before = naive.replace(tzinfo=zone, fold=1).astimezone(UTC)
    after = naive.replace(tzinfo=zone, fold=0).astimezone(UTC)
    while after - before > timedelta(seconds=1):
        middle = before + (after - before) / 2
        if middle.astimezone(zone).replace(tzinfo=None) >= naive:
            after = middle
        else:
            before = middle
    return after.astimezone(zone)


def zone_or_utc(name: str | None) -> ZoneInfo:
    if name:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    return ZoneInfo("UTC")


class PulseDecisionKind(StrEnum):
    SEND = "send"
    WAIT = "wait"
    SKIP_RATED = "skip_rated"
    SKIP_COOLDOWN = "skip_cooldown"


@dataclass(frozen=True)
class PulseDecision:
    kind: PulseDecisionKind
    wait_until: datetime | None = None


def decide_pulse(
    *,
    now: datetime,
    rated: bool,
    last_pulse_sent_at: datetime | None,
    cooldown: timedelta,
    working_hours: WorkingHours,
    timezone: str | None,
) -> PulseDecision:
    """What to do with a due pulse: a rated request needs none; a pulse due outside the
    requester's working hours waits for the next opening; one inside the cooldown after
    their last pulse is skipped rather than queued (that would pile pulses up)."""
    if rated:
        return PulseDecision(PulseDecisionKind.SKIP_RATED)
    opening = working_hours.next_opening(now, timezone)
    if opening > now:
        return PulseDecision(PulseDecisionKind.WAIT, wait_until=opening)
    if in_cooldown(now=now, last_pulse_sent_at=last_pulse_sent_at, cooldown=cooldown):
        return PulseDecision(PulseDecisionKind.SKIP_COOLDOWN)
    return PulseDecision(PulseDecisionKind.SEND)


def in_cooldown(*, now: datetime, last_pulse_sent_at: datetime | None, cooldown: timedelta) -> bool:
    return last_pulse_sent_at is not None and now - last_pulse_sent_at < cooldown


def pulse_closes_at(sent_at: datetime) -> datetime:
    return sent_at + PULSE_ANSWER_WINDOW


def rating_counts_for_resolution(rated_at: datetime | None, resolved_at: datetime) -> bool:
    """A rating given before the latest resolution was about an earlier one (the request was
    reopened since), so the new resolution still deserves a pulse."""
    return rated_at is not None and rated_at >= resolved_at
