"""`python -m bot serve` as real processes, for tests that kill, restart or run two of them."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.e2e.conftest import DEPARTMENTS_TOML, SIGNING_SECRET, TEAM_ID
from tests.e2e.slack_client import SlackClient
from tests.fake_slack import FakeSlack

START_TIMEOUT_SECONDS = 30


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1) as response:
            return response.status == 200
    except (urllib.error.URLError, ConnectionError):
        return False


@dataclass
class Served:
    process: subprocess.Popen[bytes]
    base_url: str
    slack: SlackClient
    # The environment it runs with, for other commands against the same setup.
    env: dict[str, str]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


def serve(fake: FakeSlack, workdir: Path, database_url: str, **settings: str) -> Served:
    """Start `serve` with the test departments and wait until /healthz answers."""
    departments = workdir / "departments.toml"
    departments.write_text(DEPARTMENTS_TOML)
    port = free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.lower().endswith("_proxy")
        and not key.startswith(("SLACK_", "DATABASE_", "PULSE_", "JOBS_"))
    }
    env.update(
        SLACK_BOT_TOKEN="xoxb-test-token",
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=fake.api_url,
        DATABASE_URL=database_url,
        DEPARTMENTS_FILE=str(departments),
        PORT=str(port),
        SLACK_POSTS_PER_MINUTE="0",
        **settings,
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "serve"], cwd=workdir, env=env, stderr=subprocess.PIPE
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while not _healthy(base + "/healthz"):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            _, err = process.communicate()
            pytest.fail(f"serve did not become healthy: {err.decode()[-2000:]}")
        time.sleep(0.05)  # polling a condition (health) with a deadline
    slack = SlackClient(
        url=base + "/slack/events",
        signing_secret=SIGNING_SECRET,
        team_id=TEAM_ID,
        response_base=fake.base_url + "response/",
    )
    return Served(process, base, slack, env)
