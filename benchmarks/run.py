"""Ack latency and filing throughput of the real HTTP endpoint against the fake Slack.

Run with `make bench`; record the figures in benchmarks/RESULTS.md. Uses a throwaway
SQLite database (or BENCH_DATABASE_URL) and the test suite's fake Slack Web API.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.db import create_db_engine, create_session_factory, migrate
from tests.e2e.conftest import start_desk
from tests.fake_clock import FakeClock
from tests.fake_slack import FakeSlack

REQUESTS = int(os.environ.get("BENCH_REQUESTS", "300"))
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "8"))


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def main() -> None:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"):
        os.environ.pop(name, None)
    with tempfile.TemporaryDirectory() as tmp:
        url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{tmp}/bench.db"
        migrate(url)
        engine = create_db_engine(url)
        fake = FakeSlack(team_id="T0TEST").start()
        desk, server, thread = start_desk(
            fake=fake,
            session_factory=create_session_factory(engine),
            clock=FakeClock(),
            database_url=url,
            tmp_path=Path(tmp),
        )
        latencies: list[float] = []
        lock = threading.Lock()

        def send(i: int) -> None:
            started = time.perf_counter()
            result = desk.slack.slash_command(f"it laptop number {i} will not boot", user=f"U0B{i}")
            elapsed = time.perf_counter() - started
            assert result.status == 200
            with lock:
                latencies.append(elapsed)

        started = time.perf_counter()
        with ThreadPoolExecutor(CONCURRENCY) as pool:
            list(pool.map(send, range(REQUESTS)))
        fake.wait_for_call("response_url", count=REQUESTS)
        total = time.perf_counter() - started
        server.stop()
        thread.join(timeout=5)
        desk.pulsedesk.finish_work()
        fake.stop()
        engine.dispose()

    backend = url.split(":", 1)[0]
    print(f"database: {backend}; requests: {REQUESTS}; concurrency: {CONCURRENCY}")
    print(
        f"ack latency ms: p50 {statistics.median(latencies) * 1000:.1f}, "
        f"p95 {percentile(latencies, 0.95) * 1000:.1f}, max {max(latencies) * 1000:.1f}"
    )
    print(f"filed with card and confirmation: {REQUESTS / total:.0f} requests/s")


if __name__ == "__main__":
    main()
