"""Durable pulses across real processes: `kill -9` then restart, and two `serve` processes on
one database, each deliver every pulse exactly once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.db import SessionFactory
from models import Job
from tests.e2e.processes import Served, serve
from tests.fake_slack import Call, FakeSlack

# Real time in these processes: a pulse is due as soon as the request is resolved, and
# working hours are all week, so the test never depends on when it runs.
PULSE_NOW = {
    "PULSE_DELAY_SECONDS": "1",
    "PULSE_WORKING_HOURS": "mon-sun 00:00-24:00",
}


@pytest.fixture
def processes() -> Iterator[list[Served]]:
    started: list[Served] = []
    yield started
    for served in started:
        served.stop()


def _file_and_resolve(fake: FakeSlack, served: Served, requester: str) -> None:
    assert served.slack.slash_command("it my laptop will not boot", user=requester).status == 200
    [card] = fake.wait_for_call(
        "chat.postMessage",
        where=lambda c: (
            c.params.get("channel") == "C0IT000001" and f"<@{requester}>" in c.params["text"]
        ),
    )
    request_id = int(card.params["text"].split()[0].removeprefix("REQ-"))
    result = served.slack.block_action(
        "request_resolve", user="U0AGENT1", value=f"req:{request_id}"
    )
    assert result.status == 200
    fake.wait_for_call(
        "chat.postMessage",
        where=lambda c: c.params.get("channel") == requester and "resolved" in c.params["text"],
    )


def _pulses_to(fake: FakeSlack, user: str) -> list[Call]:
    return [
        c
        for c in fake.calls_to("chat.postMessage")
        if c.params.get("channel") == user and "How satisfied" in c.params.get("text", "")
    ]


def _job_states(session_factory: SessionFactory) -> list[str]:
    with session_factory() as session:
        return list(session.scalars(select(Job.state).where(Job.kind == "satisfaction.send_pulse")))


def test_a_pulse_pending_when_the_bot_is_killed_is_sent_once_after_restart(
    fake_slack: FakeSlack,
    session_factory: SessionFactory,
    database_url: str,
    tmp_path: Path,
    processes: list[Served],
) -> None:
    # The first process never ticks, so the pulse is certainly still pending when it dies.
    first = serve(fake_slack, tmp_path, database_url, JOBS_POLL_SECONDS="0", **PULSE_NOW)
    processes.append(first)
    _file_and_resolve(fake_slack, first, "U0ALICE")
    assert _job_states(session_factory) == ["pending"]

    first.process.send_signal(signal.SIGKILL)
    first.process.wait(timeout=10)

    second = serve(fake_slack, tmp_path, database_url, JOBS_POLL_SECONDS="0.2", **PULSE_NOW)
    processes.append(second)
    fake_slack.wait_for(lambda _: _job_states(session_factory) == ["done"])
    assert len(_pulses_to(fake_slack, "U0ALICE")) == 1

    cron = subprocess.run(
        [sys.executable, "-m", "bot", "jobs", "run-due"],
        cwd=tmp_path,
        env=second.env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert cron.returncode == 0, cron.stderr
    assert cron.stdout.startswith("Ran 0 due job(s)")
    assert len(_pulses_to(fake_slack, "U0ALICE")) == 1


def test_two_serve_processes_on_one_database_send_each_pulse_once(
    fake_slack: FakeSlack,
    session_factory: SessionFactory,
    database_url: str,
    tmp_path: Path,
    processes: list[Served],
) -> None:
    requesters = [f"U0REQ{n:04d}" for n in range(12)]
    # Resolved by a process that never ticks, the pulses fall due together a moment later,
    # when both workers below are polling the same rows.
    resolver = serve(fake_slack, tmp_path, database_url, JOBS_POLL_SECONDS="0", **PULSE_NOW)
    processes.append(resolver)
    for requester in requesters:
        _file_and_resolve(fake_slack, resolver, requester)
    resolver.process.send_signal(signal.SIGTERM)
    assert resolver.process.wait(timeout=15) == 0

    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        processes.append(
            serve(fake_slack, tmp_path / name, database_url, JOBS_POLL_SECONDS="0.05", **PULSE_NOW)
        )

    fake_slack.wait_for(lambda _: _job_states(session_factory) == ["done"] * len(requesters))
    assert {user: len(_pulses_to(fake_slack, user)) for user in requesters} == {
        user: 1 for user in requesters
    }


def test_a_weekly_round_killed_midway_finishes_with_everyone_messaged_once(
    fake_slack: FakeSlack,
    session_factory: SessionFactory,
    database_url: str,
    tmp_path: Path,
) -> None:
    people = [f"U0W{n:05d}" for n in range(300)]
    fake_slack.members = [{"id": user, "tz": "Europe/London"} for user in people]
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.lower().endswith("_proxy") and not key.startswith(("SLACK_", "DATABASE_"))
    }
    env.update(
        SLACK_BOT_TOKEN="xoxb-test-token",
        SLACK_API_URL=fake_slack.api_url,
        DATABASE_URL=database_url,
        JOBS_LEASE_SECONDS="1",
        SLACK_POSTS_PER_MINUTE="0",
    )
    command = [sys.executable, "-m", "bot", "pulse", "weekly"]
    first = subprocess.Popen(command, cwd=tmp_path, env=env, stdout=subprocess.DEVNULL)
    try:
        fake_slack.wait_for(lambda _: len(_weekly_dms(fake_slack)) >= 60, timeout=60)
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
    assert len(_weekly_dms(fake_slack)) < len(people)

    second = subprocess.run(
        command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300
    )
    assert second.returncode == 0, second.stderr[-2000:]
    received = [c.params["channel"] for c in _weekly_dms(fake_slack)]
    assert sorted(received) == people
    assert "300 due, 300 sent, 0 failed" in second.stdout


def _weekly_dms(fake: FakeSlack) -> list[Call]:
    return [
        c
        for c in fake.calls_to("chat.postMessage")
        if c.params.get("text", "").startswith("Your weekly pulse")
    ]
