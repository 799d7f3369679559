"""Service levels: when a request is due, by urgency and in the department's working time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.business_time import BusinessCalendar
from bot.service_levels.rules import (
    DueTimes,
    ServiceLevels,
    SlaState,
    Targets,
    due_times,
    kept,
    outcome,
)

# Tuesday 1 December 2026, 17:00 in Berlin.
FILED = datetime(2026, 12, 1, 16, 0, tzinfo=UTC)
OFFICE = BusinessCalendar.parse(timezone="Europe/Berlin", hours="09:00-18:00", days="mon-fri")
LEVELS = ServiceLevels(
    normal=Targets(first_response="2h", resolution="2d"),
    high=Targets(first_response="30m"),
)


def test_a_department_that_promises_nothing_has_no_due_times() -> None:
    assert due_times(None, urgency="normal", filed_at=FILED, calendar=OFFICE) == DueTimes(
        None, None
    )


def test_targets_count_working_time_only() -> None:
    due = due_times(LEVELS, urgency="normal", filed_at=FILED, calendar=OFFICE)
    # One working hour on Tuesday, one on Wednesday morning.
    assert due.first_response == datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
    # Two days of nine working hours: Thursday, 17:00 in Berlin.
    assert due.resolution == datetime(2026, 12, 3, 16, 0, tzinfo=UTC)


def test_without_a_calendar_targets_count_every_minute() -> None:
    due = due_times(LEVELS, urgency="normal", filed_at=FILED, calendar=None)
    assert due == DueTimes(FILED + timedelta(hours=2), FILED + timedelta(days=2))


def test_high_urgency_promises_its_own_targets_and_only_those() -> None:
    due = due_times(LEVELS, urgency="high", filed_at=FILED, calendar=OFFICE)
    assert due == DueTimes(FILED + timedelta(minutes=30), None)
    only_normal = ServiceLevels(normal=Targets(first_response="1h"))
    assert due_times(only_normal, urgency="high", filed_at=FILED, calendar=None) == DueTimes(
        FILED + timedelta(hours=1), None
    )


@pytest.mark.parametrize(
    ("done_at", "expected"),
    [
        (None, None),
        (FILED - timedelta(minutes=1), SlaState.MET),
        (FILED, SlaState.MET),
        (FILED + timedelta(seconds=1), SlaState.MISSED),
    ],
)
def test_a_target_is_met_when_done_by_its_due_time(
    done_at: datetime | None, expected: SlaState | None
) -> None:
    assert outcome(FILED, done_at) is expected


def test_service_levels_are_read_back_as_the_file_gave_them() -> None:
    stored = {"first_response": "2h", "resolution": "2d", "high": {"first_response": "30m"}}
    assert ServiceLevels.from_stored(stored) == LEVELS
    assert ServiceLevels.from_stored(None) is None


@pytest.mark.parametrize(
    ("done_at", "now", "expected"),
    [
        (FILED, FILED + timedelta(days=1), True),
        (FILED + timedelta(minutes=1), FILED + timedelta(days=1), False),
        (None, FILED - timedelta(minutes=1), None),
        (None, FILED, False),
    ],
)
def test_a_target_is_decided_once_done_or_past_due(
    done_at: datetime | None, now: datetime, expected: bool | None
) -> None:
    assert kept(FILED, done_at, now) is expected
