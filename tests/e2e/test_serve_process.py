"""`python -m bot serve` as a user runs it: a real process, migrations at start, signed HTTP."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select

from models import Request
from tests.e2e.conftest import SIGNING_SECRET, TEAM_ID
from tests.e2e.processes import Served, serve
from tests.fake_slack import FakeSlack


@pytest.fixture
def served(fake_slack: FakeSlack, tmp_path: Path) -> Iterator[tuple[Served, str]]:
    database_url = f"sqlite:///{tmp_path / 'served.db'}"
    served = serve(fake_slack, tmp_path, database_url)
    yield served, database_url
    served.stop()


def test_serve_migrates_syncs_and_files_a_request(
    served: tuple[Served, str], fake_slack: FakeSlack
) -> None:
    server, database_url = served
    process, slack = server.process, server.slack
    assert slack.slash_command("it my laptop will not boot").status == 200
    [card] = fake_slack.wait_for_call("chat.postMessage")
    assert card.params["channel"] == "C0IT000001"
    fake_slack.wait_for_call("response_url")

    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=15) == 0
    engine = create_engine(database_url)
    with engine.connect() as connection:
        [row] = connection.execute(select(Request.team_id, Request.status)).all()
    engine.dispose()
    assert tuple(row) == (TEAM_ID, "open")
    assert process.stderr is not None
    logs = process.stderr.read().decode()
    assert "server.starting" in logs
    assert "xoxb-test-token" not in logs
    assert SIGNING_SECRET not in logs
