"""Service levels in the report, over a fixed set of requests whose figures are worked out by
hand below (on a real database: SQLite, or TEST_DATABASE_URL)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select, update

from bot.db import SessionFactory
from bot.departments import parse_departments
from bot.reports.formats import render_json
from bot.reports.store import build_report, targets_kept
from bot.requests.departments import store as department_store
from bot.requests.rules import RequestAction
from bot.service_levels.rules import kept
from models import Request
from tests.services.reports.test_store import TEAM, Desk

# Monday 30 November 2026, 09:00 in Berlin (08:00 UTC): the IT desk opens.
MONDAY = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
DEPARTMENTS = """
[[departments]]
key = "it"
name = "IT"
channel = "C0IT000001"
calendar = { timezone = "Europe/Berlin", hours = "09:00-18:00", days = "mon-fri" }
sla = { first_response = "1h", resolution = "1d" }

[[departments]]
key = "hr"
name = "HR"
channel = "C0HR000001"
"""


def _at(hours: float) -> datetime:
    """`hours` after Monday 09:00 in Berlin."""
    return MONDAY + timedelta(hours=hours)


def test_the_report_gives_the_service_level_figures_worked_out_by_hand(
    session_factory: SessionFactory,
) -> None:
    configs = parse_departments(Path("departments.toml"), DEPARTMENTS)
    with session_factory.begin() as session:
        department_store.sync_departments(
            session=session, team_id=TEAM, configs=configs, now=MONDAY
        )
        desk = Desk(session)
        # 1. Filed 09:00, claimed 09:30 (met), resolved 17:00 (met, within the 9-hour day).
        first = desk.file("it", _at(0))
        first = desk.act(first, RequestAction.CLAIM, _at(0.5))
        desk.act(first, RequestAction.RESOLVE, _at(8))
        # 2. Filed 17:30: first response due Tuesday 09:30, resolution Tuesday 17:30. Claimed
        #    Tuesday 10:00 (missed: 1.5 working hours), resolved Tuesday 17:30 (met: 9 working
        #    hours, 24 in calendar time).
        second = desk.file("it", _at(8.5))
        second = desk.act(second, RequestAction.CLAIM, _at(25))
        desk.act(second, RequestAction.RESOLVE, _at(32.5))
        # 3. Filed Tuesday 09:00, never answered: by Wednesday 12:00 both targets have passed
        #    (due Tuesday 10:00 and Wednesday 09:00). Open and overdue.
        desk.file("it", _at(24))
        # 4. Filed Wednesday 11:30, not answered yet: due 12:30, still to be met.
        desk.file("it", _at(50.5))
        # 5. Cancelled before anyone answered: its resolution target is dropped; its first
        #    response (due Monday 12:00) was missed.
        fifth = desk.file("it", _at(2))
        desk.act(fifth, RequestAction.CANCEL, _at(2.5))
        # HR promises nothing.
        desk.file("hr", _at(1))

    now = _at(51)  # Wednesday 12:00 in Berlin
    with session_factory() as session:
        report = build_report(session=session, now=now, days=7)
    departments = {d["key"]: d for d in json.loads(render_json(report))["departments"]}
    it, hr = departments["it"], departments["hr"]

    # First response: met by 1; missed by 2, 3 and 5; 4 can still be met. 1 of 4.
    assert it["first_response_sla_met"] == 25
    # Resolution: met by 1 and 2; missed by 3; 4 still open in time; 5 cancelled. 2 of 3.
    assert it["resolution_sla_met"] == 67
    assert it["overdue_open"] == 1
    # Working time to first response: 0.5 h (1) and 1.5 h (2); the median is 1 h.
    assert it["median_first_response_business_seconds"] == 3600
    # Working time to resolution: 8 h (1) and 9 h (2); the median is 8.5 h.
    assert it["median_resolution_business_seconds"] == 8.5 * 3600
    # In calendar time the second request's night counts: 8 h and 24 h, median 16 h.
    assert it["median_resolution_seconds"] == 16 * 3600

    assert (hr["first_response_sla_met"], hr["resolution_sla_met"], hr["overdue_open"]) == (
        None,
        None,
        0,
    )


def test_waiting_on_the_requester_stops_the_clock_in_the_report(
    session_factory: SessionFactory,
) -> None:
    configs = parse_departments(Path("departments.toml"), DEPARTMENTS)
    with session_factory.begin() as session:
        department_store.sync_departments(
            session=session, team_id=TEAM, configs=configs, now=MONDAY
        )
        desk = Desk(session)
        # Both filed Monday 09:00 (resolution due Monday 18:00) and asked about at 09:30,
        # which answers them in time.
        still_waiting = desk.file("it", _at(0))
        desk.act(still_waiting, RequestAction.WAIT, _at(0.5))
        answered = desk.file("it", _at(0))
        answered = desk.act(answered, RequestAction.WAIT, _at(0.5))
        # The requester replies Tuesday 11:30: the wait took 8.5 working hours on Monday and
        # 2.5 on Tuesday. The 8.5 hours the resolution had left run from 11:30: 6.5 on
        # Tuesday, 2 on Wednesday, so it is due Wednesday 11:00.
        answered = desk.act(answered, RequestAction.RESUME, _at(26.5))
    assert answered.resolution_due_at == _at(50)
    assert answered.sla_paused == timedelta(hours=11)

    def figures(now: datetime) -> dict[str, object]:
        with session_factory() as session:
            report = build_report(session=session, now=now, days=7)
        [it] = [d for d in json.loads(render_json(report))["departments"] if d["key"] == "it"]
        return dict(it)

    # Tuesday 12:00: past Monday 18:00, but the waiting one's clock stands at Monday 09:30.
    tuesday = figures(_at(27))
    assert (tuesday["first_response_sla_met"], tuesday["resolution_sla_met"]) == (100, None)
    assert tuesday["overdue_open"] == 0

    with session_factory.begin() as session:
        Desk(session).act(answered, RequestAction.RESOLVE, _at(49))
    # Resolved Wednesday 10:00, before 11:00: met. 19 working hours from filing, less the 11
    # it waited: 8.
    wednesday = figures(_at(50))
    assert wednesday["resolution_sla_met"] == 100
    assert wednesday["median_resolution_business_seconds"] == 8 * 3600


def _expected(row: dict[str, object], now: datetime) -> tuple[int | None, int | None]:
    """What `kept` says of a request's two targets, as reports judged them request by request."""
    status = row["status"]
    clock = row["waiting_since"] or now
    first_due, resolution_due = row["first_response_due_at"], row["resolution_due_at"]
    resolved = row["resolved_at"] if status == "resolved" else None

    def judged(due: object, done: object) -> int | None:
        if due is None:
            return None
        met = kept(due, done, clock)  # type: ignore[arg-type]
        return None if met is None else int(met)

    return (
        judged(first_due, row["first_response_at"]),
        None if status == "cancelled" else judged(resolution_due, resolved),
    )


def test_the_database_judges_each_target_as_kept_does(session_factory: SessionFactory) -> None:
    """Reports have the database say whether each target was met, rather than reading every
    request's moments: over every kind of due time, answer, wait and status, it says what the
    rule in bot/service_levels says."""
    configs = parse_departments(Path("departments.toml"), DEPARTMENTS)
    now = _at(10)
    moments = [None, _at(2), _at(6), _at(12)]
    cases = [
        {
            "status": status,
            "first_response_due_at": due,
            "first_response_at": done,
            "resolution_due_at": due,
            "resolved_at": done,
            "waiting_since": waiting,
        }
        for status in ("open", "claimed", "waiting", "resolved", "cancelled")
        for due in moments
        for done in moments
        for waiting in moments
    ]
    with session_factory.begin() as session:
        department_store.sync_departments(
            session=session, team_id=TEAM, configs=configs, now=MONDAY
        )
        desk = Desk(session)
        ids = [desk.file("hr", _at(0)).id for _ in cases]
        for request_id, values in zip(ids, cases, strict=True):
            session.execute(update(Request).where(Request.id == request_id).values(**values))
    with session_factory() as session:
        judged = dict(
            (request_id, (first, resolution))
            for request_id, first, resolution in session.execute(
                select(Request.id, *targets_kept(now)).where(Request.id.in_(ids))
            )
        )
    assert [judged[request_id] for request_id in ids] == [_expected(c, now) for c in cases]
