"""What the card and the confirmation say of a request's service levels."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

from bot.requests.messages import build_filed_confirmation, build_request_card
from bot.requests.rules import RequestSnapshot, RequestStatus
from bot.service_levels.messages import card_lines, promise
from bot.text import slack_date
from tests.unit.requests.test_messages import CREATED, make_request

DUE = CREATED + timedelta(hours=2)
RESOLVE_BY = CREATED + timedelta(days=2)


def _promised(status: RequestStatus, **changes: Any) -> RequestSnapshot:
    request = make_request(status=status)
    return replace(request, first_response_due_at=DUE, resolution_due_at=RESOLVE_BY, **changes)


def test_an_open_request_shows_when_each_target_is_due() -> None:
    assert card_lines(_promised(RequestStatus.OPEN)) == [
        f"First response due {slack_date(DUE)}",
        f"Resolution due {slack_date(RESOLVE_BY)}",
    ]


def test_a_target_shows_met_or_missed_once_done() -> None:
    claimed = _promised(RequestStatus.CLAIMED, first_response_at=DUE + timedelta(minutes=1))
    assert card_lines(claimed) == [
        f"First response :x: missed (due {slack_date(DUE)})",
        f"Resolution due {slack_date(RESOLVE_BY)}",
    ]
    resolved = _promised(RequestStatus.RESOLVED, first_response_at=DUE)
    assert card_lines(resolved) == [
        f"First response :white_check_mark: met (due {slack_date(DUE)})",
        f"Resolution :white_check_mark: met (due {slack_date(RESOLVE_BY)})",
    ]


def test_a_cancelled_request_shows_only_what_was_already_decided() -> None:
    cancelled = _promised(RequestStatus.CANCELLED)
    assert card_lines(cancelled) == []


def test_a_request_with_no_promise_shows_none() -> None:
    request = make_request(status=RequestStatus.OPEN)
    assert card_lines(request) == []
    assert promise(request) is None
    assert "due" not in str(build_request_card(request)["blocks"])


def test_the_card_and_the_confirmation_carry_the_promise() -> None:
    request = _promised(RequestStatus.OPEN)
    assert f"First response due {slack_date(DUE)}" in str(build_request_card(request)["blocks"])
    confirmation = str(build_filed_confirmation(request, card_posted=True)["blocks"])
    assert f"First response due by {slack_date(DUE)}." in confirmation
