"""Each workspace sees only itself: a payload signed with our secret but from a workspace or
app the bot does not serve is refused before any work."""

from __future__ import annotations

import json
import logging
from urllib.parse import urlencode

import pytest
from sqlalchemy import func, select

from models import Kudos, Request
from tests.e2e.conftest import KUDOS_CHANNEL, Desk, DeskFactory
from tests.e2e.helpers import file_request
from tests.e2e.slack_client import SlackClient


def _stranger(desk: Desk, team_id: str = "T0OTHER") -> SlackClient:
    return SlackClient(
        url=desk.slack.url,
        signing_secret=desk.slack.signing_secret,
        team_id=team_id,
        response_base=desk.slack.response_base,
    )


def _rows(desk: Desk, model: type) -> int:
    with desk.session_factory() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_kudos_from_another_workspace_are_refused_and_post_nothing(
    desk_with: DeskFactory, caplog: pytest.LogCaptureFixture
) -> None:
    desk = desk_with(kudos_channel=KUDOS_CHANNEL)
    stranger = _stranger(desk)
    fields = stranger.slash_command_fields("<@U0ALEX> thanks!", user="U0BEA", command="/kudos")

    with caplog.at_level(logging.INFO):
        result = stranger.post_form(fields)
    desk.pulsedesk.finish_work()

    assert result.status == 200
    assert result.json() == {
        "response_type": "ephemeral",
        "text": "This pulsedesk serves another Slack workspace, so it did nothing with that.",
    }
    # Bolt identifies the bot (auth.test, once) before any middleware: nothing else is called.
    assert [c.method for c in desk.fake.calls if c.method != "auth.test"] == []
    assert _rows(desk, Kudos) == 0
    assert "slack.foreign_workspace" in [r.getMessage() for r in caplog.records]


def test_a_request_from_another_workspace_is_not_filed(desk: Desk) -> None:
    result = _stranger(desk).slash_command("it my laptop will not boot")
    desk.pulsedesk.finish_work()
    assert result.status == 200
    assert _rows(desk, Request) == 0
    assert desk.fake.calls_to("chat.postMessage") == []


def test_a_click_from_another_workspace_changes_nothing(desk: Desk) -> None:
    request = file_request(desk)
    posts = len(desk.fake.calls_to("chat.postMessage"))

    result = _stranger(desk).block_action(
        "request_claim", user="U0AGENT1", value=f"req:{request.id}"
    )
    desk.pulsedesk.finish_work()

    assert result.status == 200
    assert desk.fake.calls_to("chat.update") == []
    assert len(desk.fake.calls_to("chat.postMessage")) == posts


def test_an_event_for_another_app_in_our_workspace_is_ignored(desk: Desk) -> None:
    body = {
        "type": "event_callback",
        "team_id": "T0TEST",
        "api_app_id": "A0SOMEONEELSE",
        "event_id": "Ev0FOREIGN",
        "event_time": 1,
        "event": {"type": "app_home_opened", "user": "U0ALICE", "tab": "home"},
    }
    result = desk.slack.post(json.dumps(body).encode(), content_type="application/json")
    desk.pulsedesk.finish_work()
    assert result.status == 200
    assert desk.fake.calls_to("views.publish") == []


def test_our_own_workspace_is_served(desk: Desk) -> None:
    fields = desk.slack.slash_command_fields("help")
    assert (
        desk.slack.post(
            urlencode(fields).encode(), content_type="application/x-www-form-urlencoded"
        ).status
        == 200
    )
    desk.fake.wait_for_call("response_url")
