"""Business time: the hours a department works, for service-level targets. Pure.

A `BusinessCalendar` is a daily window on some days of the week in one time zone, less holidays;
`WallClock` counts every minute, for a department that names no calendar. Both answer the same
questions: when does `duration` of working time after a moment end, how much working time lies
between two moments, and when is the desk next open.

A window belongs to the day it opens on: `22:00-06:00` on `mon-fri` opens Monday evening and
closes Tuesday morning, and a holiday closes the window that opens on it. Windows are laid in
wall-clock time, so a DST change makes that day's window an hour longer or shorter, as it is for
the people working it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from bot.calendar import local_moment, parse_days, parse_time, read_zone
from bot.errors import RuleError

_DURATION = re.compile(r"^([0-9]{1,4})\s*([mhd])$")
_UNITS = {"m": timedelta(minutes=1), "h": timedelta(hours=1)}
# Looking further than this for an open window means the calendar never opens.
_MAX_CLOSED_DAYS = 400


class Calendar(Protocol):
    def add(self, start: datetime, duration: timedelta) -> datetime:
        """When `duration` of working time after `start` has passed."""
        ...

    def between(self, start: datetime, end: datetime) -> timedelta:
        """The working time in [start, end); nothing when end is not after start."""
        ...

    def next_open(self, at: datetime) -> datetime:
        """`at` if the desk is open then, else when it next opens."""
        ...

    def day_length(self) -> timedelta:
        """What one day of a target (`2d`) is worth in working time."""
        ...


class WallClock:
    """Every minute counts: a department without a calendar."""

    def add(self, start: datetime, duration: timedelta) -> datetime:
        return start + duration

    def between(self, start: datetime, end: datetime) -> timedelta:
        return max(end - start, timedelta())

    def next_open(self, at: datetime) -> datetime:
        return at

    def day_length(self) -> timedelta:
        return timedelta(days=1)


_ONE_DAY = timedelta(days=1)
# A moment's local date is at most a day from its date in UTC (or any zone it carries, when
# compared in UTC: no zone is a day away); a window still open may have opened the day before.
_BEFORE_MARGIN = timedelta(days=2)
_AFTER_MARGIN = timedelta(days=1)


@dataclass(frozen=True)
class BusinessCalendar:
    zone: ZoneInfo
    days: frozenset[int]
    opens: time
    # None: the window runs to midnight. Not after `opens`: it runs past midnight.
    closes: time | None
    holidays: frozenset[date] = frozenset()
    # Each day's window, worked out once: a report measures thousands of requests against
    # the same few weeks, and a day's window costs several time zone conversions.
    _windows: dict[date, tuple[datetime, datetime] | None] = field(
        default_factory=dict, init=False, repr=False, compare=False, hash=False
    )

    @classmethod
    def parse(
        cls, *, timezone: str, hours: str, days: str, holidays: list[str] | None = None
    ) -> BusinessCalendar:
        zone = read_zone(timezone)
        if zone is None:
            raise RuleError(f"'{timezone}' is not a time zone like Europe/Berlin")
        opens_text, sep, closes_text = hours.strip().partition("-")
        if not sep:
            raise RuleError(f"'{hours}' is not a time range like 09:00-18:00")
        opens = parse_time(opens_text.strip())
        closes = None if closes_text.strip() == "24:00" else parse_time(closes_text.strip())
        if opens is None or opens == closes:
            raise RuleError(f"'{hours}': the window must open and close at different times")
        kept: set[date] = set()
        for text in holidays or []:
            try:
                kept.add(date.fromisoformat(text))
            except (TypeError, ValueError):
                raise RuleError(f"'{text}' is not a date like 2026-12-25") from None
        return cls(zone, parse_days(days.strip().lower()), opens, closes, frozenset(kept))

    def day_length(self) -> timedelta:
        """The length of a window on a day without a DST change."""
        start = datetime.combine(date(2001, 1, 1), self.opens)
        if self.closes is None:
            end = datetime.combine(date(2001, 1, 2), time(0))
        elif self.closes > self.opens:
            end = datetime.combine(date(2001, 1, 1), self.closes)
        else:
            end = datetime.combine(date(2001, 1, 2), self.closes)
        return end - start

    def windows(self, since: datetime) -> Iterator[tuple[datetime, datetime]]:
        """The open windows, in UTC, in order, from the one open at or after `since` on."""
        # A window that opened the day before may still be open.
        day = since.astimezone(self.zone).date() - timedelta(days=1)
        closed_days = 0
        while closed_days < _MAX_CLOSED_DAYS:
            window = self._window(day)
            day += timedelta(days=1)
            if window is None:
                closed_days += 1
                continue
            closed_days = 0
            if window[1] > since:
                yield window
        raise RuleError("the calendar has no open day")

    def _window(self, day: date) -> tuple[datetime, datetime] | None:
        if day not in self._windows:
            self._windows[day] = self._window_of(day)
        return self._windows[day]

    def _window_of(self, day: date) -> tuple[datetime, datetime] | None:
        if day.weekday() not in self.days or day in self.holidays:
            return None
        start = local_moment(day, self.opens, self.zone)
        if self.closes is None:
            end = local_moment(day + timedelta(days=1), time(0), self.zone)
        elif self.closes > self.opens:
            end = local_moment(day, self.closes, self.zone)
        else:
            end = local_moment(day + timedelta(days=1), self.closes, self.zone)
        if end <= start:
            return None
        return start.astimezone(UTC), end.astimezone(UTC)

    def add(self, start: datetime, duration: timedelta) -> datetime:
        left = duration
        for opened, closed in self.windows(start):
            begin = max(opened, start)
            if begin + left <= closed:
                return begin + left
            left -= closed - begin
        raise AssertionError("windows() ends only by raising")

    def between(self, start: datetime, end: datetime) -> timedelta:
        """Reports ask this of every request, so the days are walked by their dates alone,
        with no time zone conversion: a moment's local date is within a day of its own, and
        the margins also cover a window open since the day before."""
        total = timedelta()
        if end <= start:
            return total
        day = start.astimezone(UTC).date() - _BEFORE_MARGIN
        last = end.astimezone(UTC).date() + _AFTER_MARGIN
        while day <= last:
            window = self._window(day)
            day += _ONE_DAY
            if window is None or window[1] <= start:
                continue
            opened, closed = window
            if opened >= end:
                break
            total += min(closed, end) - max(opened, start)
        return total

    def next_open(self, at: datetime) -> datetime:
        opened, _closed = next(self.windows(at))
        return max(opened, at)

    def is_open(self, at: datetime) -> bool:
        return self.next_open(at) == at


def parse_duration(text: str, calendar: Calendar) -> timedelta:
    """A target like `30m`, `4h` or `2d`, in working time: a day is one day's window of the
    calendar (9 hours for 09:00-18:00), or 24 hours without one."""
    match = _DURATION.match(text.strip().lower())
    if not match or int(match.group(1)) == 0:
        raise RuleError(f"'{text}' is not a duration like 30m, 4h or 2d")
    count, unit = int(match.group(1)), match.group(2)
    if unit == "d":
        return count * calendar.day_length()
    return count * _UNITS[unit]
