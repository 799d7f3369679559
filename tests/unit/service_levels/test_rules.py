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
    pause,
    reminder_time,
    state,
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
    assert ServiceLevels.from_stored({**stored, "remind_at": 0.5}) == ServiceLevels(
        normal=LEVELS.normal, high=LEVELS.high, remind_at=0.5
    )
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


def test_a_reminder_falls_at_its_share_of_the_working_time_given() -> None:
    due = due_times(LEVELS, urgency="normal", filed_at=FILED, calendar=OFFICE)
    assert due.first_response is not None
    # Two working hours from 17:00 Tuesday: 90 minutes in is 09:30 Wednesday, in Berlin.
    assert reminder_time(
        filed_at=FILED, due=due.first_response, remind_at=0.75, calendar=OFFICE
    ) == datetime(2026, 12, 2, 8, 30, tzinfo=UTC)
    assert reminder_time(
        filed_at=FILED, due=due.first_response, remind_at=0.25, calendar=OFFICE
    ) == FILED + timedelta(minutes=30)


def test_a_reminder_never_falls_while_the_desk_is_closed() -> None:
    # Filed Friday 17:50 in Berlin; a 2h target runs ten minutes on Friday, the rest on Monday.
    friday = datetime(2026, 12, 4, 16, 50, tzinfo=UTC)
    due = OFFICE.add(friday, timedelta(hours=2))
    assert due == datetime(2026, 12, 7, 9, 50, tzinfo=UTC)
    warn = reminder_time(filed_at=friday, due=due, remind_at=0.75, calendar=OFFICE)
    assert warn == datetime(2026, 12, 7, 9, 20, tzinfo=UTC)
    assert OFFICE.is_open(warn)


def test_without_a_calendar_a_reminder_counts_every_minute() -> None:
    due = FILED + timedelta(hours=4)
    assert reminder_time(
        filed_at=FILED, due=due, remind_at=0.75, calendar=None
    ) == FILED + timedelta(hours=3)


REMIND = FILED + timedelta(hours=3)
DUE = FILED + timedelta(hours=4)


@pytest.mark.parametrize(
    ("done_at", "now", "expected"),
    [
        (None, FILED, SlaState.ON_TRACK),
        (None, REMIND - timedelta(seconds=1), SlaState.ON_TRACK),
        (None, REMIND, SlaState.DUE_SOON),
        (None, DUE - timedelta(seconds=1), SlaState.DUE_SOON),
        (None, DUE, SlaState.OVERDUE),
        (FILED + timedelta(minutes=5), FILED + timedelta(minutes=6), SlaState.MET),
        (DUE, DUE + timedelta(days=3), SlaState.MET),
        (DUE + timedelta(seconds=1), DUE + timedelta(seconds=2), SlaState.MISSED),
        # Done is done: met stays met, however late it is read.
        (REMIND, DUE + timedelta(days=30), SlaState.MET),
    ],
)
def test_a_target_moves_from_on_track_to_due_soon_to_overdue_until_done(
    done_at: datetime | None, now: datetime, expected: SlaState
) -> None:
    assert state(due=DUE, remind_from=REMIND, done_at=done_at, now=now) is expected


def test_a_wait_moves_each_running_target_on_by_the_working_time_it_took() -> None:
    # Filed Tuesday 17:00 in Berlin: first response due Wednesday 10:00 (UTC 09:00). The wait
    # runs from Tuesday 17:30 to Wednesday 10:00 Berlin: half an hour on Tuesday, one hour on
    # Wednesday. The hour and a half the first response had left at 17:30 runs from 10:00, to
    # 11:30 Berlin.
    since = FILED + timedelta(minutes=30)
    until = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
    moved = pause(
        since=since,
        until=until,
        first_response_due=datetime(2026, 12, 2, 9, 0, tzinfo=UTC),
        resolution_due=None,
        calendar=OFFICE,
    )
    assert moved.paused == timedelta(hours=1, minutes=30)
    assert moved.first_response_due == datetime(2026, 12, 2, 10, 30, tzinfo=UTC)
    assert moved.resolution_due is None


def test_a_target_missed_before_the_wait_stays_missed() -> None:
    due = FILED + timedelta(hours=1)
    moved = pause(
        since=due + timedelta(minutes=1),
        until=due + timedelta(days=1),
        first_response_due=due,
        resolution_due=due,
        calendar=None,
    )
    assert (moved.first_response_due, moved.resolution_due) == (due, due)
    assert moved.paused == timedelta(days=1) - timedelta(minutes=1)


def test_a_reminder_leaves_out_the_time_waited() -> None:
    # Four hours given, one of them waited: three quarters of the three counted is reached
    # 2h15 of counted time in, plus the hour waited.
    due = FILED + timedelta(hours=4)
    assert reminder_time(
        filed_at=FILED, due=due, remind_at=0.75, calendar=None, paused=timedelta(hours=1)
    ) == FILED + timedelta(hours=3, minutes=15)
