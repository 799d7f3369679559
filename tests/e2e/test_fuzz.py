"""Hostile and malformed payloads, signed as Slack would sign them, through the real endpoint:
every one ends in a clear answer or a 4xx, never a 5xx or an ERROR, and what is refused
changes nothing in the database."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from models import Kudos, Rating, Request, Shoutout, WeeklyPendingAnswer, WeeklyPendingComment
from tests.e2e.conftest import KUDOS_CHANNEL, DeskFactory
from tests.e2e.helpers import intake_settled

FUZZ = settings(
    max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None
)
JSON_LEAVES = st.none() | st.booleans() | st.integers() | st.text(max_size=30)
JSON = st.recursive(
    JSON_LEAVES,
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=10), children, max_size=3)
    ),
    max_leaves=12,
)
ACTION_IDS = st.sampled_from(
    [
        "request_claim",
        "request_resolve",
        "request_reassign",
        "request_cancel",
        "request_reopen",
        "request_wait",
        "request_stop_waiting",
        "request_escalated_claim",
        "request_view_private",
        "satisfaction_rate_1",
        "satisfaction_change",
        "satisfaction_comment",
        "satisfaction_talk_to_lead",
        "weekly_answer_4",
        "weekly_comment",
        "kudos_send",
    ]
)
CALLBACKS = st.sampled_from(
    [
        "request_new",
        "request_wait_on_requester",
        "satisfaction_comment",
        "weekly_comment",
        "kudos_for_request",
    ]
)
# Where answers go: the response_url Slack would send, or anything at all.
SLACKS_URL = "slack's response_url"
REPLY_TO = st.just(SLACKS_URL) | JSON
MODELS = (Request, Kudos, Shoutout, Rating, WeeklyPendingAnswer, WeeklyPendingComment)


def _rows(desk: Any) -> dict[str, int]:
    with desk.session_factory() as session:
        return {
            model.__tablename__: int(session.scalar(select(func.count()).select_from(model)) or 0)
            for model in MODELS
        }


def _errors(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [f"{r.name}: {r.getMessage()}" for r in caplog.records if r.levelno >= logging.ERROR]


@pytest.fixture
def fuzzed(desk_with: DeskFactory) -> Any:
    return desk_with(kudos_channel=KUDOS_CHANNEL)


def _answered_without_error(
    desk: Any, caplog: pytest.LogCaptureFixture, send: Callable[[], Any]
) -> None:
    """Send, wait for the work it started, and check the answer and the log."""
    caplog.clear()
    with caplog.at_level(logging.INFO):
        result = send()
        intake_settled(desk)
    assert result.status < 500
    assert _errors(caplog) == []


@FUZZ
@given(action_id=ACTION_IDS, value=JSON, user=JSON, block_id=JSON, extra=JSON, reply_to=REPLY_TO)
def test_a_malformed_click_is_answered_and_changes_nothing(
    fuzzed: Any,
    caplog: pytest.LogCaptureFixture,
    action_id: str,
    value: Any,
    user: Any,
    block_id: Any,
    extra: Any,
    reply_to: Any,
) -> None:
    desk = fuzzed
    before = _rows(desk)
    payload = {
        "type": "block_actions",
        "team": {"id": "T0TEST"},
        "user": user,
        "api_app_id": "A0PULSE",
        "trigger_id": "t",
        "actions": [{"action_id": action_id, "value": value, "block_id": block_id}],
        "container": extra,
        "response_url": desk.fake.response_url("fuzz") if reply_to == SLACKS_URL else reply_to,
    }
    _answered_without_error(
        desk, caplog, lambda: desk.slack.post_form({"payload": json.dumps(payload)})
    )
    assert _rows(desk) == before


@FUZZ
@given(callback=CALLBACKS, state=JSON, metadata=JSON, user=JSON, reply_to=JSON)
def test_a_malformed_form_is_answered_and_changes_nothing(
    fuzzed: Any,
    caplog: pytest.LogCaptureFixture,
    callback: str,
    state: Any,
    metadata: Any,
    user: Any,
    reply_to: Any,
) -> None:
    desk = fuzzed
    before = _rows(desk)
    payload = {
        "type": "view_submission",
        "team": {"id": "T0TEST"},
        "user": user,
        "api_app_id": "A0PULSE",
        "view": {
            "id": "V0FUZZ",
            "callback_id": callback,
            "private_metadata": json.dumps(metadata),
            "state": {"values": state},
        },
        "response_urls": reply_to,
    }
    _answered_without_error(
        desk, caplog, lambda: desk.slack.post_form({"payload": json.dumps(payload)})
    )
    assert _rows(desk) == before


@FUZZ
@given(
    command=st.sampled_from(["/request", "/kudos", "/pulse"]),
    text=st.text(max_size=200),
)
def test_any_command_text_is_answered_without_an_error(
    fuzzed: Any, caplog: pytest.LogCaptureFixture, command: str, text: str
) -> None:
    desk = fuzzed
    _answered_without_error(
        desk, caplog, lambda: desk.slack.slash_command(text, command=command, user="U0FUZZ")
    )


@FUZZ
@given(
    event=JSON,
    event_type=st.sampled_from(["reaction_added", "app_home_opened", "message", "made_up"]),
)
def test_a_malformed_event_is_acknowledged_and_changes_nothing(
    fuzzed: Any, caplog: pytest.LogCaptureFixture, event: Any, event_type: str
) -> None:
    desk = fuzzed
    before = _rows(desk)
    body = {
        "type": "event_callback",
        "team_id": "T0TEST",
        "api_app_id": "A0PULSE",
        "event_id": "Ev0FUZZ",
        "event_time": 1,
        "event": {"type": event_type, "fuzz": event}
        if not isinstance(event, dict)
        else {**event, "type": event_type},
    }
    _answered_without_error(
        desk,
        caplog,
        lambda: desk.slack.post(json.dumps(body).encode(), content_type="application/json"),
    )
    assert _rows(desk) == before
