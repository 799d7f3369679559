"""`python -m bot serve` as a user runs it: a real process, migrations at start, signed HTTP."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select

from models import Request
from tests.e2e.conftest import DEPARTMENTS_TOML, SIGNING_SECRET, TEAM_ID
from tests.e2e.slack_client import SlackClient
from tests.fake_slack import FakeSlack

START_TIMEOUT_SECONDS = 30


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1) as response:
            return response.status == 200
    except (urllib.error.URLError, ConnectionError):
        return False


@pytest.fixture
def served(
    fake_slack: FakeSlack, tmp_path: Path
) -> Iterator[tuple[str, str, subprocess.Popen[bytes]]]:
    (tmp_path / "departments.toml").write_text(DEPARTMENTS_TOML)
    port = _free_port()
    database_url = f"sqlite:///{tmp_path / 'served.db'}"
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.lower().endswith("_proxy") and not key.startswith(("SLACK_", "DATABASE_"))
    }
    env.update(
        SLACK_BOT_TOKEN="xoxb-test-token",
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=fake_slack.api_url,
        DATABASE_URL=database_url,
        DEPARTMENTS_FILE=str(tmp_path / "departments.toml"),
        PORT=str(port),
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "serve"], cwd=tmp_path, env=env, stderr=subprocess.PIPE
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while not _healthy(base + "/healthz"):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            _, err = process.communicate()
            pytest.fail(f"serve did not become healthy: {err.decode()[-2000:]}")
        time.sleep(0.05)  # polling a condition (health) with a deadline
    yield base, database_url, process
    if process.poll() is None:
        process.kill()
        process.wait()


def test_serve_migrates_syncs_and_files_a_request(
    served: tuple[str, str, subprocess.Popen[bytes]], fake_slack: FakeSlack
) -> None:
    base, database_url, process = served
    slack = SlackClient(
        url=base + "/slack/events",
        signing_secret=SIGNING_SECRET,
        team_id=TEAM_ID,
        response_base=fake_slack.base_url + "response/",
    )
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
