"""Calendars shared by every feature: time zones, local moments across DST, days of the week,
weeks, weekly schedules and working hours. Pure: times come in, times go out."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.errors import RuleError

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
FULL_DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


_WEEK_KEY = re.compile(r"^([0-9]{4})-W([0-9]{2})$")


# Week 0 is the week of Monday 1970-01-05, so rotations are stable across years.
_EPOCH_MONDAY = date(1970, 1, 5)
_TIME = re.compile(r"^([0-9]{1,2}):([0-9]{2})$")


def read_zone(name: str) -> ZoneInfo | None:
    """The IANA time zone `name`, or None for anything else. A region's folder (`America`)
    is no zone, though the tzdata package answers it with IsADirectoryError."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None


def zone_or_utc(name: str | None) -> ZoneInfo:
    return (read_zone(name) if name else None) or ZoneInfo("UTC")


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


@dataclass(frozen=True)
class Week:
    """A Monday-to-Sunday week, named like ISO 8601 (`2026-W48`)."""

    monday: date

    @classmethod
    def of(cls, day: date) -> Week:
        return cls(day - timedelta(days=day.weekday()))

    @classmethod
    def parse(cls, key: str) -> Week:
        match = _WEEK_KEY.match(key)
        try:
            if match is None:
                raise ValueError(key)
            return cls(date.fromisocalendar(int(match.group(1)), int(match.group(2)), 1))
        except ValueError:
            raise RuleError(f"'{key}' is not a week like 2026-W48") from None

    @property
    def key(self) -> str:
        year, number, _ = self.monday.isocalendar()
        return f"{year}-W{number:02d}"

    @property
    def index(self) -> int:
        return (self.monday - _EPOCH_MONDAY).days // 7

    def day(self, weekday: int) -> date:
        return self.monday + timedelta(days=weekday)


@dataclass(frozen=True)
class WeeklySchedule:
    """When the weekly pulse is due: a day of the week and a time in each person's zone."""

    weekday: int
    at: time

    @classmethod
    def parse(cls, day: str, at: str) -> WeeklySchedule:
        word = day.strip().lower()
        name = word[:3]
        if name not in DAY_NAMES or word not in (name, FULL_DAY_NAMES[DAY_NAMES.index(name)]):
            raise RuleError(f"'{day}' is not a day of the week like monday or mon")
        hours, sep, minutes = at.strip().partition(":")
        if not (sep and hours.isascii() and hours.isdigit() and minutes.isascii()):
            raise RuleError(f"'{at}' is not a time like 10:00")
        if not minutes.isdigit() or int(hours) > 23 or int(minutes) > 59 or len(minutes) != 2:
            raise RuleError(f"'{at}' is not a time like 10:00")
        return cls(DAY_NAMES.index(name), time(int(hours), int(minutes)))

    def due_at(self, week: Week, timezone: str | None) -> datetime:
        """This week's moment for someone in `timezone` (UTC when unknown), in UTC."""
        zone = zone_or_utc(timezone)
        return local_moment(week.day(self.weekday), self.at, zone).astimezone(UTC)


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
        days = parse_days(parts[0])
        start_text, sep, end_text = parts[1].partition("-")
        if not sep:
            raise RuleError(f"'{parts[1]}' is not a time range like 09:00-18:00")
        start = parse_time(start_text)
        end = None if end_text == "24:00" else parse_time(end_text)
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


def parse_days(text: str) -> frozenset[int]:
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


def parse_time(text: str) -> time | None:
    match = _TIME.match(text)
    if not match:
        raise RuleError(f"'{text}' is not a time like 09:00")
    hours, minutes = int(match.group(1)), int(match.group(2))
    if hours > 23 or minutes > 59:
        raise RuleError(f"'{text}' is not a time of day")
    return time(hours, minutes)


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
