"""The real app behind its real HTTP endpoint, talking to a recording fake Slack."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bot.app import Pulsedesk, create_app, sync_departments_at_start
from bot.db import SessionFactory
from bot.departments import parse_config
from bot.pacing import Pacer
from bot.server import HttpServer
from bot.settings import Settings
from bot.slack import Installation
from bot.slack_client import build_web_client
from tests.e2e.slack_client import SlackClient
from tests.fake_clock import FakeClock
from tests.fake_slack import FakeSlack

SIGNING_SECRET = "test-signing-secret-0123456789"
TEAM_ID = "T0TEST"
APP_ID = "A0PULSE"
IT_AGENTS = ("U0AGENT1", "U0AGENT2")
HR_CHANNEL_MEMBERS = ["U0HRAGENT", "U0HRLEAD"]

DEPARTMENTS_TOML = """
[[departments]]
key = "it"
name = "IT Help Desk"
channel = "C0IT000001"
keywords = ["laptop", "vpn", "password"]
aliases = ["tech"]
agents = ["U0AGENT1", "U0AGENT2"]
leads = ["U0ITLEAD"]

[[departments]]
key = "hr"
name = "People & Culture"
channel = "C0HR000001"
keywords = ["payroll", "holiday", "laptop allowance"]

[[departments]]
key = "facilities"
name = "Facilities"
channel = "C0FAC00001"
keywords = ["desk", "badge", "vpn"]

[kudos]
values = ["ownership", "customer-first"]
"""
KUDOS_CHANNEL = "C0KUDOS001"


@dataclass
class Desk:
    pulsedesk: Pulsedesk
    url: str
    slack: SlackClient
    fake: FakeSlack
    session_factory: SessionFactory
    clock: FakeClock


@pytest.fixture
def fake_slack(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeSlack]:
    # slack-sdk honours proxy variables and ignores NO_PROXY; the fake is local.
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    fake = FakeSlack(team_id=TEAM_ID).start()
    fake.channel_members["C0HR000001"] = list(HR_CHANNEL_MEMBERS)
    yield fake
    fake.stop()


def start_desk(
    *,
    fake: FakeSlack,
    session_factory: SessionFactory,
    clock: FakeClock,
    database_url: str,
    tmp_path: Path,
    pacer: Pacer | None = None,
    departments_toml: str = DEPARTMENTS_TOML,
    **overrides: Any,
) -> tuple[Desk, HttpServer, threading.Thread]:
    departments_file = tmp_path / "departments.toml"
    departments_file.write_text(departments_toml)
    settings = Settings(
        _env_file=None,
        slack_bot_token="xoxb-test-token",
        slack_signing_secret=SIGNING_SECRET,
        slack_api_url=fake.api_url,
        database_url=database_url,
        departments_file=departments_file,
        # Paced at Slack's real rate, every test would wait; the tests of pacing set their own.
        **{"slack_posts_per_minute": 0, **overrides},
    )
    client = build_web_client(
        token="xoxb-test-token", base_url=fake.api_url, retry_backoff_factor=0.01
    )
    config = parse_config(departments_file, departments_toml)
    pulsedesk = create_app(
        settings,
        client=client,
        session_factory=session_factory,
        clock=clock,
        kudos_values=config.kudos_values,
        pacer=pacer,
        installation=Installation(TEAM_ID, APP_ID),
    )
    sync_departments_at_start(
        session_factory=session_factory,
        configs=config.departments,
        team_id=TEAM_ID,
        clock=clock,
    )
    server = HttpServer(pulsedesk, host="127.0.0.1", port=0, loop_timeout=0.05)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.port}"
    slack = SlackClient(
        url=f"{url}/slack/events",
        signing_secret=SIGNING_SECRET,
        team_id=TEAM_ID,
        response_base=fake.base_url + "response/",
    )
    desk = Desk(pulsedesk, url, slack, fake, session_factory, clock)
    return desk, server, thread


DeskFactory = Callable[..., Desk]


@pytest.fixture
def desk_with(
    fake_slack: FakeSlack,
    session_factory: SessionFactory,
    clock: FakeClock,
    database_url: str,
    tmp_path: Path,
) -> Iterator[DeskFactory]:
    """Starts the desk with settings overridden; every desk started is stopped at teardown,
    and no message it sent may be one Slack would have rejected."""
    running: list[tuple[Desk, HttpServer, threading.Thread]] = []

    def start(**overrides: Any) -> Desk:
        started = start_desk(
            fake=fake_slack,
            session_factory=session_factory,
            clock=clock,
            database_url=database_url,
            tmp_path=tmp_path,
            **overrides,
        )
        running.append(started)
        return started[0]

    yield start
    for desk, server, thread in running:
        server.stop()
        thread.join(timeout=5)
        assert not thread.is_alive(), "the HTTP server did not stop"
        desk.pulsedesk.finish_work()
    assert not fake_slack.rejected, f"Slack would have rejected: {fake_slack.rejected}"


@pytest.fixture
def desk(desk_with: DeskFactory) -> Desk:
    return desk_with()


@pytest.fixture
def kudos_desk(desk_with: DeskFactory) -> Desk:
    """The desk with kudos on: shout-outs go to KUDOS_CHANNEL."""
    return desk_with(kudos_channel=KUDOS_CHANNEL)
