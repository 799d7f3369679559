"""SQLite's query planner gets statistics from the ticker: at its first tick, then once a day.
With them it reads a few departments' requests through the index made for that."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from bot.db import SessionFactory
from bot.departments import parse_departments
from bot.job_runner import JobRunner
from bot.requests import store as requests
from bot.requests.departments import store as department_store
from bot.requests.rules import Urgency
from bot.scheduler import STATISTICS_EVERY, Ticker
from tests.fake_clock import FakeClock

TEAM = "T0STATS"
KEYS = ("it", "hr", "finance", "legal", "facilities", "payroll", "travel", "security")
# The report's read of a page of departments' requests over a window. On the benchmark's
# million requests without statistics, SQLite read every request of the workspace for it,
# through the index of who holds them, and took a second.
DEPARTMENTS_WINDOW = (
    "EXPLAIN QUERY PLAN SELECT department_id, status FROM requests WHERE created_at >= ? "
    "AND created_at <= ? AND team_id = ? AND department_id IN (?, ?, ?, ?)"
)


@pytest.fixture
def sqlite_only(engine: Engine) -> None:
    if engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL's autovacuum keeps its statistics")


def _requests(session_factory: SessionFactory, clock: FakeClock) -> None:
    text_file = "".join(
        f'[[departments]]\nkey = "{key}"\nname = "{key}"\nchannel = "C0{n:08d}"\n'
        for n, key in enumerate(KEYS)
    )
    configs = parse_departments(Path("departments.toml"), text_file)
    with session_factory.begin() as session:
        department_store.sync_departments(
            session=session, team_id=TEAM, configs=configs, now=clock.now()
        )
        for n in range(30 * len(KEYS)):
            requests.file_request(
                session=session,
                team_id=TEAM,
                requester_id=f"U{n % 40:08d}",
                department_key=KEYS[n % len(KEYS)],
                text="help",
                urgency=Urgency.NORMAL,
                idempotency_key=f"statistics-{n}",
                now=clock.now() - timedelta(hours=n),
            )


def _statistics(session_factory: SessionFactory) -> int:
    with session_factory() as session:
        return int(
            session.scalar(text("SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'requests'")) or 0
        )


def test_the_ticker_gives_sqlite_statistics_at_first_and_then_once_a_day(
    sqlite_only: None, session_factory: SessionFactory, clock: FakeClock
) -> None:
    _requests(session_factory, clock)
    runner = JobRunner(session_factory=session_factory, clock=clock, handlers={})
    ticker = Ticker(runner=runner, session_factory=session_factory, clock=clock)

    ticker.tick()
    assert _statistics(session_factory) > 0
    with session_factory() as session:
        now = clock.now().isoformat(sep=" ")
        since = (clock.now() - timedelta(days=30)).isoformat(sep=" ")
        plan = (
            session.connection()
            .exec_driver_sql(DEPARTMENTS_WINDOW, (since, now, TEAM, 1, 2, 3, 4))
            .all()
        )
    assert "ix_requests_department_id_created_at" in " ".join(str(row) for row in plan)

    with session_factory.begin() as session:
        session.execute(text("DELETE FROM sqlite_stat1"))
    clock.advance(STATISTICS_EVERY - timedelta(minutes=1))
    ticker.tick()
    assert _statistics(session_factory) == 0
    clock.advance(timedelta(minutes=1))
    ticker.tick()
    assert _statistics(session_factory) > 0
