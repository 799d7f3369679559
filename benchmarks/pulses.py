"""How fast the job runner drains due satisfaction pulses against the fake Slack.

N requests from N different people are filed and resolved through the services, the fake
clock moves past the pulse delay, and one tick runs until every pulse is sent. Each pulse
costs a claim, a users.info (first time per person), a cooldown reservation, a
chat.postMessage and its bookkeeping. Run with `make bench`; record figures in RESULTS.md.
"""

from __future__ import annotations

import os
import resource
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.db import create_db_engine, create_session_factory, migrate
from bot.requests.rules import RequestAction, Urgency
from tests.e2e.conftest import start_desk
from tests.fake_clock import FakeClock
from tests.fake_slack import FakeSlack

PULSES = int(os.environ.get("BENCH_PULSES", "500"))


def main() -> None:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"):
        os.environ.pop(name, None)
    with tempfile.TemporaryDirectory() as tmp:
        url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{tmp}/bench.db"
        migrate(url)
        engine = create_db_engine(url)
        fake = FakeSlack(team_id="T0TEST").start()
        clock = FakeClock()
        desk, server, thread = start_desk(
            fake=fake,
            session_factory=create_session_factory(engine),
            clock=clock,
            database_url=url,
            tmp_path=Path(tmp),
        )
        services = desk.pulsedesk.services
        for i in range(PULSES):
            filed = services.desk.file_request(
                team_id="T0TEST",
                requester_id=f"U0P{i:06d}",
                department_key="it",
                text=f"laptop {i} will not boot",
                urgency=Urgency.NORMAL,
                idempotency_key=f"bench:{i}",
            )
            services.desk.act(
                team_id="T0TEST",
                request_id=filed.request.id,
                actor_id="U0AGENT1",
                action=RequestAction.RESOLVE,
            )
        clock.advance(timedelta(hours=1))
        before = len(fake.calls_to("chat.postMessage"))
        started = time.perf_counter()
        sent = 0
        while sent < PULSES:
            summary = services.ticker.tick()
            if summary.ran == 0:
                break
            sent += summary.done
        elapsed = time.perf_counter() - started
        peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        posted = len(fake.calls_to("chat.postMessage")) - before
        server.stop()
        thread.join(timeout=5)
        desk.pulsedesk.finish_work()
        fake.stop()
        engine.dispose()

    backend = url.split(":", 1)[0]
    print(f"database: {backend}; pulses due: {PULSES}; sent: {sent}; DMs posted: {posted}")
    print(
        f"drained in {elapsed:.1f} s: {sent / elapsed:.0f} pulses/s, "
        f"{elapsed / max(sent, 1) * 1000:.1f} ms each; process peak RSS {peak_rss_mb:.0f} MB"
    )


if __name__ == "__main__":
    main()
