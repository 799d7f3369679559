"""Each request keeps how long its first response and its resolution took, worked out when they
came (in calendar time, and in its department's working time less its waits), so reports read
them. Figures worked out by hand, on a real database (SQLite, or TEST_DATABASE_URL)."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from bot.db import SessionFactory
from bot.departments import parse_departments
from bot.requests import store as requests
from bot.requests.departments import store as department_store
from bot.requests.rules import RequestAction, RequestSnapshot
from models import Request
from tests.services.reports.test_service_levels import DEPARTMENTS, MONDAY
from tests.services.reports.test_store import TEAM, Desk

HOUR = 3600.0


def _at(hours: float) -> datetime:
    """`hours` after Monday 30 November 2026, 09:00 in Berlin, where IT works 09:00-18:00."""
    return MONDAY + timedelta(hours=hours)


def _sync(session_factory: SessionFactory) -> None:
    configs = parse_departments(Path("departments.toml"), DEPARTMENTS)
    with session_factory.begin() as session:
        department_store.sync_departments(
            session=session, team_id=TEAM, configs=configs, now=MONDAY
        )


def _durations(
    session_factory: SessionFactory, request: RequestSnapshot
) -> tuple[float | None, ...]:
    with session_factory() as session:
        row = session.execute(
            select(
                Request.first_response_seconds,
                Request.first_response_business_seconds,
                Request.resolution_seconds,
                Request.resolution_business_seconds,
            ).where(Request.id == request.id)
        ).one()
    return tuple(row)


def test_a_request_keeps_its_times_in_calendar_and_working_time(
    session_factory: SessionFactory,
) -> None:
    _sync(session_factory)
    with session_factory.begin() as session:
        desk = Desk(session)
        # Filed Monday 17:00; claimed Tuesday 10:00: 17 hours, of which 2 worked.
        request = desk.file("it", _at(8))
        filed = request
        request = desk.act(request, RequestAction.CLAIM, _at(25))
    assert _durations(session_factory, filed) == (17 * HOUR, 2 * HOUR, None, None)

    with session_factory.begin() as session:
        desk = Desk(session)
        # Waits on its requester from Tuesday 11:00 to 13:00 (2 working hours), resolved
        # Tuesday 15:00: 22 hours, 7 worked less the 2 it waited.
        request = desk.act(request, RequestAction.WAIT, _at(26))
        request = desk.act(request, RequestAction.RESUME, _at(28))
        request = desk.act(request, RequestAction.RESOLVE, _at(30))
    assert _durations(session_factory, filed) == (17 * HOUR, 2 * HOUR, 22 * HOUR, 5 * HOUR)

    with session_factory.begin() as session:
        desk = Desk(session)
        request = desk.act(request, RequestAction.REOPEN, _at(31))
    # Reopened, it is not resolved; its first response stays what it was.
    assert _durations(session_factory, filed) == (17 * HOUR, 2 * HOUR, None, None)

    with session_factory.begin() as session:
        desk = Desk(session)
        request = desk.act(request, RequestAction.CLAIM, _at(31.5))
        # Resolved Wednesday 10:00: 41 hours, 11 worked less the 2 it waited.
        desk.act(request, RequestAction.RESOLVE, _at(49))
    assert _durations(session_factory, filed) == (17 * HOUR, 2 * HOUR, 41 * HOUR, 9 * HOUR)


def test_resolving_from_a_wait_counts_the_wait_as_paused(session_factory: SessionFactory) -> None:
    _sync(session_factory)
    with session_factory.begin() as session:
        desk = Desk(session)
        # A question Monday 10:00 is the first response; resolved while still waiting, at
        # 14:00: 5 hours, of which the 4 since the question were the requester's.
        request = desk.file("it", _at(0))
        request = desk.act(request, RequestAction.CLAIM, _at(0.5))
        request = desk.act(request, RequestAction.WAIT, _at(1))
        desk.act(request, RequestAction.RESOLVE, _at(5))
    assert _durations(session_factory, request) == (0.5 * HOUR, 0.5 * HOUR, 5 * HOUR, 1 * HOUR)


def test_a_first_reply_in_the_thread_keeps_its_time_once(session_factory: SessionFactory) -> None:
    _sync(session_factory)
    with session_factory.begin() as session:
        # HR names no calendar: every hour counts.
        request = Desk(session).file("hr", _at(0))
    with session_factory.begin() as session:
        assert requests.record_first_response(session=session, request=request, now=_at(3))
    with session_factory.begin() as session:
        assert not requests.record_first_response(session=session, request=request, now=_at(9))
    assert _durations(session_factory, request) == (3 * HOUR, 3 * HOUR, None, None)
