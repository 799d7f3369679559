"""Whether `export requests` takes the same memory for many rows as for few.

The database gets ROWS resolved and rated requests with answers to a question; the export is
written to a sink that keeps nothing, as CSV and as JSON, for a tenth of the rows and for all of
them, and each run's peak of Python memory (tracemalloc) and time are printed. Run with
`make bench`; record figures in RESULTS.md.
"""

from __future__ import annotations

import io
import os
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import Engine, insert

from bot.db import SessionFactory, create_db_engine, create_session_factory, migrate
from bot.exports.flows import export_requests
from models import Department, Rating, Request

ROWS = int(os.environ.get("BENCH_EXPORT_ROWS", "200000"))
START = datetime(2026, 1, 5, 9, tzinfo=UTC)
CHUNK = 5000


class Sink(io.TextIOBase):
    """Counts what is written and keeps none of it."""

    def __init__(self) -> None:
        self.characters = 0

    def write(self, text: str) -> int:
        self.characters += len(text)
        return len(text)


def _department(sessions: SessionFactory) -> int:
    with sessions.begin() as session:
        department = Department(
            team_id="T0BENCH",
            key="it",
            name="IT",
            channel_id="C0IT000001",
            keywords=[],
            aliases=[],
            agents=[],
            leads=[],
            fields=[
                {
                    "key": "device",
                    "label": "Device",
                    "type": "select",
                    "required": False,
                    "hint": None,
                    "options": ["Laptop", "Phone"],
                }
            ],
            active=True,
            created_at=START,
            updated_at=START,
        )
        session.add(department)
        session.flush()
        return department.id


def _fill(engine: Engine, department_id: int, count: int) -> None:
    for first in range(0, count, CHUNK):
        rows = []
        for n in range(first, min(first + CHUNK, count)):
            created = START + timedelta(minutes=n)
            rows.append(
                {
                    "id": n + 1,
                    "team_id": "T0BENCH",
                    "department_id": department_id,
                    "requester_id": f"U{n % 5000:08d}",
                    "text": f"The printer on floor {n % 9} is jammed, again, request {n}",
                    "urgency": "normal",
                    "status": "resolved",
                    "version": 2,
                    "idempotency_key": f"bench:{n}",
                    "created_at": created,
                    "updated_at": created,
                    "first_response_at": created + timedelta(minutes=5),
                    "first_response_due_at": created + timedelta(minutes=30),
                    "resolution_due_at": created + timedelta(days=1),
                    "resolved_at": created + timedelta(hours=1),
                    "closed_by_id": "U0AGENT",
                    "first_response_seconds": 300.0,
                    "first_response_business_seconds": 300.0,
                    "resolution_seconds": 3600.0,
                    "resolution_business_seconds": 3600.0,
                    "answers": [
                        {"key": "device", "label": "Device", "type": "select", "value": "Laptop"}
                    ],
                }
            )
        ratings = [
            {
                "team_id": "T0BENCH",
                "request_id": row["id"],
                "department_id": row["department_id"],
                "requester_id": row["requester_id"],
                "score": 1 + row["id"] % 5,
                "source": "button",
                "rated_at": row["resolved_at"],
                "created_at": row["created_at"],
                "updated_at": row["resolved_at"],
            }
            for row in rows
        ]
        with engine.begin() as connection:
            connection.execute(insert(Request), rows)
            connection.execute(insert(Rating), ratings)


def _run(sessions: SessionFactory, rows: int, output_format: str) -> tuple[int, float, float]:
    sink = Sink()
    tracemalloc.start()
    started = time.perf_counter()
    written = export_requests(
        sessions,
        since=START,
        until=START + timedelta(minutes=rows),
        now=START + timedelta(days=365),
        output_format=output_format,
        out=sink,
    )
    seconds = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return written, seconds, peak / 1024 / 1024


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{tmp}/bench.db"
        migrate(url)
        engine = create_db_engine(url)
        sessions = create_session_factory(engine)
        _fill(engine, _department(sessions), ROWS)
        print(f"export of requests ({engine.dialect.name}), {ROWS:,} in the database")
        print("format  rows        seconds  rows/s    peak Python memory")
        for output_format in ("csv", "json"):
            for rows in (ROWS // 10, ROWS):
                written, seconds, peak = _run(sessions, rows, output_format)
                print(
                    f"{output_format:<6}  {written:>9,}  {seconds:>7.1f}  "
                    f"{written / seconds:>8,.0f}  {peak:>6.1f} MiB"
                )


if __name__ == "__main__":
    main()
