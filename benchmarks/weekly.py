"""A weekly pulse round to many people against the fake Slack with a posting limit enforced.

The fake answers chat.postMessage with 429 beyond BENCH_LIMIT_PER_SECOND, as Slack does, so
the floor for N people is N / limit seconds. The bot paces itself at that limit
(SLACK_POSTS_PER_MINUTE) and sends the round as `python -m bot pulse weekly` would. Reports
the time against the floor, 429s met, and the process's memory as the round goes (the fake
keeps only counts, so the memory is the bot's). Run with
`make bench`; record figures in RESULTS.md.
"""

from __future__ import annotations

import logging
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.calendar import Week
from bot.clock import SystemClock
from bot.db import create_db_engine, create_session_factory, migrate
from tests.e2e.conftest import start_desk
from tests.fake_slack import FakeSlack

PEOPLE = int(os.environ.get("BENCH_PEOPLE", "10000"))
LIMIT_PER_SECOND = float(os.environ.get("BENCH_LIMIT_PER_SECOND", "20"))
# The bot's pace, as a share of the limit: requests leave evenly spaced but arrive with a
# little jitter, and one that arrives early meets a 429 that costs a second.
PACE_SHARE = float(os.environ.get("BENCH_PACE_SHARE", "0.97"))


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    logging.basicConfig(level=logging.ERROR)
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"):
        os.environ.pop(name, None)
    with tempfile.TemporaryDirectory() as tmp:
        url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{tmp}/bench.db"
        migrate(url)
        engine = create_db_engine(url)
        fake = FakeSlack(team_id="T0TEST", record_calls=False).start()
        fake.members = [{"id": f"U{n:08d}", "tz": "Europe/London"} for n in range(PEOPLE)]
        fake.enforce_limit(
            "chat.postMessage", per_second=LIMIT_PER_SECOND, burst=2, clock=time.monotonic
        )
        clock = SystemClock()
        desk, server, thread = start_desk(
            fake=fake,
            session_factory=create_session_factory(engine),
            clock=clock,  # type: ignore[arg-type]
            database_url=url,
            tmp_path=Path(tmp),
            slack_posts_per_minute=LIMIT_PER_SECOND * 60 * PACE_SHARE,
        )
        services = desk.pulsedesk.services
        memory = [rss_mb()]
        started = time.perf_counter()
        services.rounds.start_round(
            team_id="T0TEST", week=Week.of(clock.now().date()), send_now=True
        )
        audience_done = time.perf_counter() - started
        while services.rounds.due_deliveries():
            summary = services.ticker.tick()
            memory.append(rss_mb())
            if summary.rate_limited_until is not None:
                time.sleep(max((summary.rate_limited_until - clock.now()).total_seconds(), 0))
        elapsed = time.perf_counter() - started
        sent = len(fake.history)
        over = fake.over_limit.get("chat.postMessage", 0)
        server.stop()
        thread.join(timeout=5)
        desk.pulsedesk.finish_work()
        fake.stop()
        engine.dispose()

    floor = PEOPLE / LIMIT_PER_SECOND
    backend = url.split(":", 1)[0]
    print(
        f"database: {backend}; people: {PEOPLE}; Slack's limit: {LIMIT_PER_SECOND:g}/s; "
        f"paced at {LIMIT_PER_SECOND * PACE_SHARE:g}/s; "
        f"DMs delivered: {sent}; 429s met: {over}"
    )
    print(
        f"round took {elapsed:.1f} s against a floor of {floor:.1f} s "
        f"({100 * (elapsed / floor - 1):+.1f}%); audience and deliveries set up in "
        f"{audience_done:.1f} s"
    )
    print(
        f"memory (RSS): {memory[0]:.0f} MB before, {max(memory):.0f} MB at most, "
        f"{memory[-1]:.0f} MB after"
    )


if __name__ == "__main__":
    main()
