"""Nothing acked is lost: `serve` is killed with work it acknowledged but had not done, and
after a restart every command takes effect exactly once, its card and confirmation once."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.db import SessionFactory
from models import Job, Request
from tests.e2e.processes import Served, serve
from tests.fake_slack import FakeSlack

COMMANDS = 20
# Fast recovery: a killed process's leases run out in a second, and ticks come often.
QUICK = {"JOBS_LEASE_SECONDS": "1", "JOBS_POLL_SECONDS": "0.2"}


@pytest.fixture
def processes() -> Iterator[list[Served]]:
    started: list[Served] = []
    yield started
    for served in started:
        served.stop()


def _filed(session_factory: SessionFactory) -> list[str]:
    with session_factory() as session:
        return sorted(session.scalars(select(Request.requester_id)))


def _intake_left(session_factory: SessionFactory) -> int:
    with session_factory() as session:
        count = session.scalar(
            select(func.count()).select_from(Job).where(Job.kind.like("slack.%"))
        )
        return int(count or 0)


def test_commands_acked_before_a_kill_each_take_effect_once_after_restart(
    fake_slack: FakeSlack,
    session_factory: SessionFactory,
    database_url: str,
    tmp_path: Path,
    processes: list[Served],
) -> None:
    people = [f"U0P{n:03d}" for n in range(COMMANDS)]
    # Slack is slow: every card post hangs, so the work after each ack piles up.
    release = fake_slack.hold("chat.postMessage")
    first = serve(fake_slack, tmp_path, database_url, **QUICK)
    processes.append(first)
    statuses = [
        first.slack.slash_command(f"it laptop {n} will not boot", user=user).status
        for n, user in enumerate(people)
    ]
    assert statuses == [200] * COMMANDS
    assert _intake_left(session_factory) == COMMANDS

    first.process.send_signal(signal.SIGKILL)
    first.process.wait(timeout=10)
    # The posts the dead process had sent may still land, as Slack would have taken them.
    release.set()

    second = serve(fake_slack, tmp_path, database_url, **QUICK)
    processes.append(second)
    fake_slack.wait_for(
        lambda _: _intake_left(session_factory) == 0 and len(_filed(session_factory)) == COMMANDS,
        timeout=60,
    )

    assert _filed(session_factory) == people
    with session_factory() as session:
        requests = list(session.scalars(select(Request)))
    assert all(r.card_ts is not None for r in requests)
    cards = [
        m
        for m in fake_slack.history.get("C0IT000001", [])
        if (m.get("metadata") or {}).get("event_type") == "pulsedesk_request_card"
    ]
    assert sorted(m["metadata"]["event_payload"]["key"] for m in cards) == sorted(
        r.id for r in requests
    )
    confirmations = [
        c for c in fake_slack.calls_to("response_url") if "Filed" in c.params.get("text", "")
    ]
    assert len(confirmations) == COMMANDS
