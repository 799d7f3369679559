"""Business time (bot/business_time.py): weekends, holidays, windows past midnight, both DST
changes, and calendars on three continents."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.business_time import BusinessCalendar, WallClock, parse_duration
from bot.errors import RuleError

BERLIN = ZoneInfo("Europe/Berlin")
OFFICE = BusinessCalendar.parse(
    timezone="Europe/Berlin", hours="09:00-18:00", days="mon-fri", holidays=["2026-12-25"]
)
NIGHTS = BusinessCalendar.parse(timezone="Europe/Berlin", hours="22:00-06:00", days="mon-fri")


def berlin(*args: int) -> datetime:
    return datetime(*args, tzinfo=BERLIN).astimezone(UTC)  # type: ignore[misc]


@pytest.mark.parametrize(
    ("start", "duration", "expected"),
    [
        # Inside the window.
        (berlin(2026, 12, 1, 10, 0), timedelta(minutes=30), berlin(2026, 12, 1, 10, 30)),
        # Across the evening: 15 minutes on Tuesday, 15 on Wednesday.
        (berlin(2026, 12, 1, 17, 45), timedelta(minutes=30), berlin(2026, 12, 2, 9, 15)),
        # Across the weekend.
        (berlin(2026, 12, 4, 17, 45), timedelta(minutes=30), berlin(2026, 12, 7, 9, 15)),
        # Filed on Saturday: counted from Monday's opening.
        (berlin(2026, 12, 5, 11, 0), timedelta(hours=1), berlin(2026, 12, 7, 10, 0)),
        # Christmas is a holiday: Thursday evening to Monday, Friday the 25th skipped.
        (berlin(2026, 12, 24, 17, 0), timedelta(hours=2), berlin(2026, 12, 28, 10, 0)),
        # Two days of 9 hours.
        (berlin(2026, 12, 1, 9, 0), timedelta(hours=18), berlin(2026, 12, 2, 18, 0)),
    ],
)
def test_working_time_is_added_inside_the_windows(
    start: datetime, duration: timedelta, expected: datetime
) -> None:
    assert OFFICE.add(start, duration) == expected
    assert OFFICE.between(start, expected) == duration


def test_working_time_between_two_moments_skips_nights_weekends_and_holidays() -> None:
    assert OFFICE.between(berlin(2026, 12, 4, 17, 0), berlin(2026, 12, 7, 10, 0)) == timedelta(
        hours=2
    )
    assert OFFICE.between(berlin(2026, 12, 24, 8, 0), berlin(2026, 12, 26, 8, 0)) == timedelta(
        hours=9
    )
    assert OFFICE.between(berlin(2026, 12, 2, 10, 0), berlin(2026, 12, 1, 10, 0)) == timedelta()


def test_the_desk_is_open_in_its_window_and_says_when_it_next_opens() -> None:
    assert OFFICE.is_open(berlin(2026, 12, 1, 9, 0))
    assert not OFFICE.is_open(berlin(2026, 12, 1, 18, 0))
    assert OFFICE.next_open(berlin(2026, 12, 4, 18, 30)) == berlin(2026, 12, 7, 9, 0)
    assert OFFICE.next_open(berlin(2026, 12, 24, 19, 0)) == berlin(2026, 12, 28, 9, 0)


def test_a_window_past_midnight_belongs_to_the_day_it_opens() -> None:
    assert NIGHTS.is_open(berlin(2026, 12, 4, 23, 0))  # Friday night
    assert NIGHTS.is_open(berlin(2026, 12, 5, 5, 59))  # still Friday's window
    assert not NIGHTS.is_open(berlin(2026, 12, 5, 23, 0))  # Saturday opens none
    assert NIGHTS.next_open(berlin(2026, 12, 5, 23, 0)) == berlin(2026, 12, 7, 22, 0)
    assert NIGHTS.add(berlin(2026, 12, 4, 5, 0), timedelta(hours=2)) == berlin(2026, 12, 4, 23, 0)


@pytest.mark.parametrize(
    ("timezone", "night_before", "length"),
    [
        # Spring forward: the night from Saturday to Sunday is an hour shorter.
        ("Europe/Berlin", datetime(2026, 3, 28), timedelta(hours=7)),
        # Fall back: an hour longer.
        ("Europe/Berlin", datetime(2026, 10, 24), timedelta(hours=9)),
        ("America/Los_Angeles", datetime(2026, 3, 7), timedelta(hours=7)),
        ("America/Los_Angeles", datetime(2026, 10, 31), timedelta(hours=9)),
        # Tokyo keeps no DST.
        ("Asia/Tokyo", datetime(2026, 3, 28), timedelta(hours=8)),
    ],
)
def test_a_window_across_a_dst_change_is_as_long_as_it_is_worked(
    timezone: str, night_before: datetime, length: timedelta
) -> None:
    nights = BusinessCalendar.parse(timezone=timezone, hours="22:00-06:00", days="mon-sun")
    zone = ZoneInfo(timezone)
    opens = night_before.replace(hour=22, tzinfo=zone).astimezone(UTC)
    closes = (night_before + timedelta(days=1)).replace(hour=6, tzinfo=zone).astimezone(UTC)
    assert closes - opens == length
    assert nights.between(opens - timedelta(hours=1), closes + timedelta(hours=1)) == length
    assert nights.add(opens, length) == closes


def test_a_window_that_opens_in_the_hour_skipped_by_dst_opens_when_the_clock_jumps() -> None:
    early = BusinessCalendar.parse(timezone="Europe/Berlin", hours="02:30-04:00", days="sun")
    first = next(early.windows(berlin(2026, 3, 28, 12, 0)))
    # 02:30 does not exist on 29 March 2026: the clock goes from 02:00 straight to 03:00.
    assert first == (
        datetime(2026, 3, 29, 1, 0, tzinfo=UTC),
        datetime(2026, 3, 29, 2, 0, tzinfo=UTC),
    )


def test_a_calendar_in_tokyo_is_read_in_tokyo() -> None:
    tokyo = BusinessCalendar.parse(timezone="Asia/Tokyo", hours="09:00-18:00", days="mon-fri")
    # Friday 23:00 UTC is Saturday 08:00 in Tokyo: next open Monday 09:00 there.
    assert tokyo.next_open(datetime(2026, 12, 4, 23, 0, tzinfo=UTC)) == datetime(
        2026, 12, 7, 0, 0, tzinfo=UTC
    )


def test_a_window_to_midnight_is_written_24_00() -> None:
    late = BusinessCalendar.parse(timezone="UTC", hours="18:00-24:00", days="mon")
    assert late.day_length() == timedelta(hours=6)
    monday = datetime(2026, 11, 30, 23, 0, tzinfo=UTC)
    assert late.add(monday, timedelta(hours=2)) == datetime(2026, 12, 7, 19, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"timezone": "Mars/Olympus"}, "time zone"),
        ({"hours": "9 to 5"}, "time range"),
        ({"hours": "09:00-09:00"}, "different times"),
        ({"hours": "25:00-26:00"}, "time of day"),
        ({"days": "weekdays"}, "day or a range"),
        ({"holidays": ["25/12/2026"]}, "date like"),
    ],
)
def test_a_calendar_that_cannot_be_read_says_which_part(
    fields: dict[str, object], message: str
) -> None:
    values: dict[str, object] = {"timezone": "UTC", "hours": "09:00-18:00", "days": "mon-fri"}
    values.update(fields)
    with pytest.raises(RuleError, match=message):
        BusinessCalendar.parse(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "calendar", "expected"),
    [
        ("30m", OFFICE, timedelta(minutes=30)),
        ("4h", OFFICE, timedelta(hours=4)),
        ("2d", OFFICE, timedelta(hours=18)),
        ("2d", WallClock(), timedelta(days=2)),
        (" 1D ", NIGHTS, timedelta(hours=8)),
    ],
)
def test_a_target_is_read_in_the_calendars_working_time(
    text: str, calendar: BusinessCalendar | WallClock, expected: timedelta
) -> None:
    assert parse_duration(text, calendar) == expected


@pytest.mark.parametrize("text", ["0m", "2w", "1.5h", "", "h", "-3h", "99999d"])
def test_a_target_that_is_not_a_duration_is_refused(text: str) -> None:
    with pytest.raises(RuleError, match="not a duration"):
        parse_duration(text, OFFICE)


def test_without_a_calendar_every_minute_counts() -> None:
    clock = WallClock()
    start = datetime(2026, 12, 5, 23, 0, tzinfo=UTC)
    assert clock.add(start, timedelta(hours=2)) == start + timedelta(hours=2)
    assert clock.between(start, start + timedelta(hours=2)) == timedelta(hours=2)
    assert clock.next_open(start) == start


@given(
    start=st.datetimes(
        min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(UTC)
    ),
    minutes=st.integers(min_value=1, max_value=60 * 24 * 20),
    calendar=st.sampled_from([OFFICE, NIGHTS]),
)
def test_adding_then_measuring_gives_back_the_duration(
    start: datetime, minutes: int, calendar: BusinessCalendar
) -> None:
    duration = timedelta(minutes=minutes)
    end = calendar.add(start, duration)
    assert calendar.between(start, end) == duration
    # It ends inside a window: the working time just before it was open.
    assert calendar.is_open(end - timedelta(microseconds=1))


def _by_windows(calendar: BusinessCalendar, start: datetime, end: datetime) -> timedelta:
    """The working time between two moments, summed window by window."""
    total = timedelta()
    for opened, closed in calendar.windows(start):
        if opened >= end:
            return total
        total += min(closed, end) - max(opened, start)
    return total


@given(
    zone=st.sampled_from(
        ["Europe/Berlin", "Pacific/Kiritimati", "Pacific/Pago_Pago", "Asia/Kathmandu"]
    ),
    hours=st.sampled_from(["09:00-18:00", "22:00-06:00", "18:00-24:00", "00:00-24:00"]),
    start=st.datetimes(datetime(2026, 3, 1), datetime(2026, 12, 1), timezones=st.just(UTC)),
    length=st.timedeltas(timedelta(0), timedelta(days=20)),
)
def test_the_time_between_two_moments_is_the_sum_of_the_windows_between(
    zone: str, hours: str, start: datetime, length: timedelta
) -> None:
    calendar = BusinessCalendar.parse(timezone=zone, hours=hours, days="mon-fri")
    assert calendar.between(start, start + length) == _by_windows(calendar, start, start + length)
