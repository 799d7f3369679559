"""How long a lead's App Home takes to build when the database holds another workspace's rows.

The database gets FOREIGN requests, each resolved and rated, in another workspace, and a few
hundred of the lead's own; then the lead's Home tab feedback (their departments' 30-day
results and latest ratings) is built repeatedly, and, for comparison, the report over the
whole database that Home used to read. Run with `make bench`; record figures in RESULTS.md.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from collections.abc import Callable

from sqlalchemy import Engine, insert, select

from bot.db import (
    SessionFactory,
    create_db_engine,
    create_session_factory,
    migrate,
    read_session,
)
from bot.reports.store import build_report
from bot.satisfaction.flows.feedback import Feedback
from models import Department, Rating, Request
from tests.fake_clock import FakeClock

FOREIGN = int(os.environ.get("BENCH_FOREIGN_ROWS", "200000"))
OWN = 300
RUNS = 20
NOW = datetime(2026, 11, 30, 12, tzinfo=UTC)
CHUNK = 5000


def _departments(
    session_factory: SessionFactory, team_id: str, keys: list[str], lead: str
) -> list[int]:
    with session_factory.begin() as session:
        for key in keys:
            session.add(
                Department(
                    team_id=team_id,
                    key=key,
                    name=key.upper(),
                    channel_id="C0" + key.upper().ljust(9, "0")[:9],
                    keywords=[],
                    aliases=[],
                    agents=[],
                    leads=[lead],
                    active=True,
                    created_at=NOW,
                    updated_at=NOW,
                )
            )
    with session_factory() as session:
        return list(session.scalars(select(Department.id).where(Department.team_id == team_id)))


def _fill(engine: Engine, team_id: str, department_ids: list[int], count: int, start: int) -> None:
    """`count` resolved and rated requests over the last 25 days."""
    for first in range(0, count, CHUNK):
        rows = []
        for n in range(first, min(first + CHUNK, count)):
            created = NOW - timedelta(minutes=(n * 7) % (25 * 24 * 60))
            rows.append(
                {
                    "id": start + n,
                    "team_id": team_id,
                    "department_id": department_ids[n % len(department_ids)],
                    "requester_id": f"U{n % 5000:08d}",
                    "text": "request",
                    "urgency": "normal",
                    "status": "resolved",
                    "version": 2,
                    "idempotency_key": f"{team_id}:{n}",
                    "created_at": created,
                    "updated_at": created,
                    "first_response_at": created + timedelta(minutes=5),
                    "resolved_at": created + timedelta(hours=1),
                    "closed_by_id": "U0AGENT",
                    # Its departments name no calendar: every minute is working time.
                    "first_response_seconds": 300.0,
                    "first_response_business_seconds": 300.0,
                    "resolution_seconds": 3600.0,
                    "resolution_business_seconds": 3600.0,
                }
            )
        ratings = [
            {
                "team_id": team_id,
                "request_id": row["id"],
                "department_id": row["department_id"],
                "requester_id": row["requester_id"],
                "score": 1 + row["id"] % 5,
                "source": "button",
                "rated_at": row["resolved_at"] + timedelta(minutes=30),
                "created_at": row["created_at"],
                "updated_at": row["resolved_at"] + timedelta(minutes=30),
            }
            for row in rows
        ]
        with engine.begin() as connection:
            connection.execute(insert(Request), rows)
            connection.execute(insert(Rating), ratings)


def _timed(work: Callable[[], None]) -> list[float]:
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        work()
        times.append((time.perf_counter() - started) * 1000)
    return times


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{tmp}/bench.db"
        migrate(url)
        engine = create_db_engine(url)
        sessions = create_session_factory(engine)
        theirs = _departments(sessions, "T0THEIRS", ["it", "hr", "fin", "ops", "legal"], "U0X")
        ours = _departments(sessions, "T0OURS", ["it", "hr"], "U0LEAD")
        loading = time.perf_counter()
        _fill(engine, "T0THEIRS", theirs, FOREIGN, start=1)
        _fill(engine, "T0OURS", ours, OWN, start=FOREIGN + 1)
        loaded = time.perf_counter() - loading
        clock = FakeClock(NOW)
        feedback = Feedback(session_factory=sessions, clock=clock, admins=())

        def home() -> None:
            assert feedback.team_feedback(team_id="T0OURS", user_id="U0LEAD") is not None
            # A lead's figures are kept for the minute and the hour: an hour on, each run
            # reads both periods anew.
            clock.advance(timedelta(hours=1))

        def whole_database() -> None:
            with read_session(sessions) as session:
                build_report(session=session, now=NOW, days=30)

        scoped = _timed(home)
        unscoped = _timed(whole_database)
        backend = engine.dialect.name
        print(f"{backend}: {FOREIGN:,} foreign rows (+ {OWN} own), loaded in {loaded:.1f} s")
        for label, times in (("lead's Home feedback", scoped), ("whole-database report", unscoped)):
            ordered = sorted(times)
            p95 = ordered[int(len(ordered) * 0.95) - 1]
            print(
                f"  {label}: median {statistics.median(times):.1f} ms, "
                f"p95 {p95:.1f} ms, max {max(times):.1f} ms over {RUNS} runs"
            )
        engine.dispose()


if __name__ == "__main__":
    main()
