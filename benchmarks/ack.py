"""The durable ack against a bare Bolt app, side by side.

The same burst of signed `/request` commands, from many concurrent senders, goes first to a
bare Bolt app that only acks and posts a card (lazily, as Bolt's samples do), then to `serve`'s
app, which writes each command as a job before it acks and files it after. Both are served
by the same waitress settings against the same fake Slack Web API, in this one process. Run
with `make bench`; record the figures in RESULTS.md. `BENCH_DATABASE_URL` adds a PostgreSQL
run (a throwaway database: the run creates its tables there).
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from waitress.server import create_server

from bot.db import create_db_engine, create_session_factory, migrate
from bot.server import (
    CONNECTION_LIMIT,
    EVENTS_PATH,
    IDLE_CONNECTION_SECONDS,
    MAX_REQUEST_BODY_BYTES,
    SERVER_THREADS,
)
from bot.slack_client import build_web_client
from tests.e2e.conftest import SIGNING_SECRET, TEAM_ID, start_desk
from tests.e2e.slack_client import SlackClient
from tests.fake_clock import FakeClock
from tests.fake_slack import FakeSlack

REQUESTS = int(os.environ.get("BENCH_REQUESTS", "400"))
SENDERS = int(os.environ.get("BENCH_SENDERS", "50"))


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def _burst(slack: SlackClient, done: Callable[[], bool]) -> dict[str, float]:
    latencies: list[float] = []
    lost: list[str] = []
    lock = threading.Lock()

    def send(i: int) -> None:
        started = time.perf_counter()
        try:
            result = slack.slash_command(f"it laptop number {i} will not boot", user=f"U0B{i:04d}")
            failure = None if result.status == 200 else f"HTTP {result.status}"
        except OSError as error:  # no answer within the client's 10 s: Slack would give up at 3
            failure = type(error).__name__
        elapsed = time.perf_counter() - started
        with lock:
            if failure is None:
                latencies.append(elapsed * 1000)
            else:
                lost.append(failure)

    started = time.perf_counter()
    with ThreadPoolExecutor(SENDERS) as pool:
        list(pool.map(send, range(REQUESTS)))
    deadline = time.perf_counter() + 120
    while not done() and time.perf_counter() < deadline:
        time.sleep(0.01)  # a benchmark's own poll: how long until every card is up
    total = time.perf_counter() - started
    return {
        "p50": statistics.median(latencies),
        "p99": _percentile(latencies, 0.99),
        "max": max(latencies),
        "per_second": REQUESTS / total,
        "over_3s": sum(1 for ms in latencies if ms > 3000) + len(lost),
    }


def _serve(wsgi: Any) -> tuple[Any, threading.Thread, str]:
    server = create_server(
        wsgi,
        host="127.0.0.1",
        port=0,
        threads=SERVER_THREADS,
        max_request_body_size=MAX_REQUEST_BODY_BYTES,
        connection_limit=CONNECTION_LIMIT,
        channel_timeout=IDLE_CONNECTION_SECONDS,
        asyncore_use_poll=True,
        asyncore_loop_timeout=0.05,
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    return server, thread, f"http://127.0.0.1:{server.effective_port}{EVENTS_PATH}"


def bare(fake: FakeSlack) -> dict[str, float]:
    client = build_web_client(token="xoxb-test-token", base_url=fake.api_url)
    app = App(client=client, signing_secret=SIGNING_SECRET, token_verification_enabled=False)

    def acknowledge(ack: Any) -> None:
        ack()

    def post_card(command: dict[str, Any], client: Any) -> None:
        client.chat_postMessage(channel="C0IT000001", text=command["text"])

    app.command("/request")(ack=acknowledge, lazy=[post_card])
    server, _thread, url = _serve(SlackRequestHandler(app))
    slack = SlackClient(
        url=url, signing_secret=SIGNING_SECRET, team_id=TEAM_ID, response_base=fake.base_url
    )
    before = fake.call_counts.get("chat.postMessage", 0)
    figures = _burst(
        slack, lambda: fake.call_counts.get("chat.postMessage", 0) >= before + REQUESTS
    )
    server.close()
    return figures


def pulsedesk(fake: FakeSlack, url: str, tmp: str) -> dict[str, float]:
    migrate(url)
    engine = create_db_engine(url)
    desk, server, thread = start_desk(
        fake=fake,
        session_factory=create_session_factory(engine),
        clock=FakeClock(),
        database_url=url,
        tmp_path=Path(tmp),
    )
    before = fake.call_counts.get("response_url", 0)
    figures = _burst(
        desk.slack, lambda: fake.call_counts.get("response_url", 0) >= before + REQUESTS
    )
    # What was acked but not answered in time is still done: let it finish before the next run.
    while fake.call_counts.get("response_url", 0) < before + REQUESTS:
        time.sleep(0.05)
    server.stop()
    thread.join(timeout=5)
    desk.pulsedesk.finish_work()
    engine.dispose()
    return figures


def _line(name: str, figures: dict[str, float]) -> str:
    return (
        f"  {name:<20} ack p50 {figures['p50']:7.1f} ms, p99 {figures['p99']:7.1f} ms, "
        f"max {figures['max']:7.1f} ms, over 3 s {figures['over_3s']:3.0f}; "
        f"{figures['per_second']:5.0f} filed/s"
    )


def main() -> None:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"):
        os.environ.pop(name, None)
    fake = FakeSlack(team_id=TEAM_ID, record_calls=False).start()
    print(f"{REQUESTS} signed /request commands from {SENDERS} concurrent senders")
    with tempfile.TemporaryDirectory() as tmp:
        baseline = bare(fake)
        print(_line("bare Bolt app", baseline))
        runs = [("serve, SQLite", f"sqlite:///{tmp}/bench.db")]
        if os.environ.get("BENCH_DATABASE_URL"):
            runs.append(("serve, PostgreSQL", os.environ["BENCH_DATABASE_URL"]))
        for name, url in runs:
            figures = pulsedesk(fake, url, tmp)
            ratio = figures["p99"] / baseline["p99"]
            print(_line(name, figures) + f"; p99 {ratio:.2f}x the bare app's")
    fake.stop()


if __name__ == "__main__":
    main()
