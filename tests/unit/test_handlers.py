"""Listeners are module-level functions: a test calls one directly with a payload and stand-in
flows, and `durable` hands Bolt a callable that keeps the payload, acks, and runs the listener
as a job."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from slack_bolt.util.utils import get_arg_names_of_callable

from bot.errors import NotFound
from bot.requests.rules import RequestAction
from handlers.intake import durable, slack_arguments
from handlers.requests import handle_card_action, handle_requester_action


class RecordingDesk:
    def __init__(self) -> None:
        self.acts: list[dict[str, Any]] = []

    def act(self, **kwargs: Any) -> object:
        self.acts.append(kwargs)
        return object()


class RecordingHome:
    def __init__(self) -> None:
        self.published: list[tuple[str, str]] = []

    def publish(self, *, team_id: str, user_id: str) -> None:
        self.published.append((team_id, user_id))


def _click(action_id: str, value: str = "req:42", **extra: Any) -> tuple[dict[str, Any], dict]:
    body = {"type": "block_actions", "team": {"id": "T0TEST"}, "user": {"id": "U0AGENT1"}, **extra}
    return body, {"action_id": action_id, "value": value, "block_id": "card_actions:42"}


@pytest.mark.parametrize(
    ("action_id", "expected"),
    [
        ("request_claim", RequestAction.CLAIM),
        ("request_unclaim", RequestAction.UNCLAIM),
        ("request_resolve", RequestAction.RESOLVE),
    ],
)
def test_a_card_button_becomes_one_lifecycle_action(
    action_id: str, expected: RequestAction
) -> None:
    desk, home = RecordingDesk(), RecordingHome()
    body, action = _click(action_id, response_url="https://hooks.slack.com/actions/T/1/x")

    handle_card_action(body, action, desk=desk, home=home)

    assert desk.acts == [
        {
            "team_id": "T0TEST",
            "request_id": 42,
            "actor_id": "U0AGENT1",
            "action": expected,
            "assignee_id": None,
            "idempotency_key": None,
        }
    ]
    # Clicked on the card in its channel: Home is not drawn again.
    assert home.published == []


def test_a_claim_from_the_queue_on_app_home_redraws_home() -> None:
    desk, home = RecordingDesk(), RecordingHome()
    body, action = _click("request_claim")

    handle_card_action(body, action, desk=desk, home=home)

    assert [a["action"] for a in desk.acts] == [RequestAction.CLAIM]
    assert home.published == [("T0TEST", "U0AGENT1")]


def test_a_button_that_points_nowhere_is_not_found_and_does_nothing() -> None:
    desk = RecordingDesk()
    body, action = _click("request_claim", value="something else")
    action["block_id"] = "elsewhere"

    with pytest.raises(NotFound):
        handle_card_action(body, action, desk=desk, home=RecordingHome())
    assert desk.acts == []


def test_a_cancel_from_app_home_redraws_home() -> None:
    desk, home = RecordingDesk(), RecordingHome()
    body, action = _click("request_cancel")

    handle_requester_action(body, action, desk=desk, home=home, gateway=None)

    assert [a["action"] for a in desk.acts] == [RequestAction.CANCEL]
    assert home.published == [("T0TEST", "U0AGENT1")]


class RecordingIntake:
    """Stands in for bot.intake.Intake: keeps what was accepted instead of writing a job."""

    def __init__(self) -> None:
        self.handlers: dict[str, Any] = {}
        self.accepted: list[dict[str, Any]] = []

    def register(self, name: str, handler: Any) -> str:
        self.handlers[f"slack.{name}"] = handler
        return f"slack.{name}"

    def accept(self, *, kind: str, team_id: str, body: dict[str, Any]) -> Any:
        self.accepted.append({"kind": kind, "team_id": team_id, "body": body})
        return SimpleNamespace(id=len(self.accepted), payload={"body": body}, created_at=None)

    def run_soon(self, job: Any) -> None:
        pass

    def waited(self, job: Any) -> timedelta:
        return timedelta(0)


def test_bolt_is_asked_only_to_ack_with_the_body() -> None:
    listener = durable(
        RecordingIntake(), "claim", handle_card_action, answer_with=None, desk=RecordingDesk()
    )

    assert get_arg_names_of_callable(listener) == ["ack", "body"]


def test_a_click_is_kept_before_the_ack_and_its_job_calls_the_listener() -> None:
    desk, intake = RecordingDesk(), RecordingIntake()
    listener = durable(
        intake, "claim", handle_card_action, answer_with=None, desk=desk, home=RecordingHome()
    )
    body, action = _click("request_resolve")
    body["actions"] = [action]
    acked: list[dict[str, Any]] = []

    listener(ack=lambda **kwargs: acked.append(kwargs), body=body)

    assert intake.accepted == [{"kind": "slack.claim", "team_id": "T0TEST", "body": body}]
    assert acked == [{}]
    assert desk.acts == []
    intake.handlers["slack.claim"](SimpleNamespace(payload={"body": body}, kind="slack.claim"))
    assert [a["action"] for a in desk.acts] == [RequestAction.RESOLVE]


@pytest.mark.parametrize("action", ["req:1", None, 7, ["req:1"]])
def test_an_action_that_is_not_an_object_reaches_listeners_as_an_empty_one(action: object) -> None:
    assert slack_arguments({"type": "block_actions", "actions": [action]})["action"] == {}
