"""Listeners are module-level functions: a test calls one directly with a payload and stand-in
flows, and `bind` hands Bolt a callable that asks only for what Bolt supplies."""

from __future__ import annotations

from typing import Any

import pytest
from slack_bolt.util.utils import get_arg_names_of_callable

from bot.errors import NotFound
from bot.requests.rules import RequestAction
from handlers.errors import bind
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
    desk = RecordingDesk()
    body, action = _click(action_id)

    handle_card_action(body, action, desk=desk)

    assert desk.acts == [
        {
            "team_id": "T0TEST",
            "request_id": 42,
            "actor_id": "U0AGENT1",
            "action": expected,
            "assignee_id": None,
        }
    ]


def test_a_button_that_points_nowhere_is_not_found_and_does_nothing() -> None:
    desk = RecordingDesk()
    body, action = _click("request_claim", value="something else")
    action["block_id"] = "elsewhere"

    with pytest.raises(NotFound):
        handle_card_action(body, action, desk=desk)
    assert desk.acts == []


def test_a_cancel_from_app_home_redraws_home() -> None:
    desk, home = RecordingDesk(), RecordingHome()
    body, action = _click("request_cancel")

    handle_requester_action(body, action, desk=desk, home=home, gateway=None)

    assert [a["action"] for a in desk.acts] == [RequestAction.CANCEL]
    assert home.published == [("T0TEST", "U0AGENT1")]


def test_bolt_is_asked_only_for_the_payload_the_listener_reads() -> None:
    bound = bind(handle_card_action, answer_with=None, desk=RecordingDesk())

    assert get_arg_names_of_callable(bound) == ["body", "action"]


def test_a_bound_listener_gets_its_flows_and_bolts_arguments() -> None:
    desk = RecordingDesk()
    bound = bind(handle_card_action, answer_with=None, desk=desk)
    body, action = _click("request_resolve")

    bound(body=body, action=action)

    assert [a["action"] for a in desk.acts] == [RequestAction.RESOLVE]
