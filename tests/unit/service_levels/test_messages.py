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


def test_an_open_request_shows_each_target_on_track_then_due_soon_then_overdue() -> None:
    request = _promised(RequestStatus.OPEN)
    # No calendar: the reminders fall at three quarters of each target's wall-clock time.
    assert card_lines(request, CREATED) == [
        f"First response on track · due {slack_date(DUE)}",
        f"Resolution on track · due {slack_date(RESOLVE_BY)}",
    ]
    assert card_lines(request, CREATED + timedelta(minutes=90)) == [
        f"First response :large_orange_circle: *due soon* · due {slack_date(DUE)}",
        f"Resolution on track · due {slack_date(RESOLVE_BY)}",
    ]
    assert card_lines(request, DUE) == [
        f"First response :red_circle: *Overdue* · due {slack_date(DUE)}",
        f"Resolution on track · due {slack_date(RESOLVE_BY)}",
    ]


def test_a_target_shows_met_or_missed_once_done_whatever_the_time() -> None:
    claimed = _promised(RequestStatus.CLAIMED, first_response_at=DUE + timedelta(minutes=1))
    assert card_lines(claimed, RESOLVE_BY) == [
        f"First response :x: missed · due {slack_date(DUE)}",
        f"Resolution :red_circle: *Overdue* · due {slack_date(RESOLVE_BY)}",
    ]
    resolved = _promised(RequestStatus.RESOLVED, first_response_at=DUE, resolved_at=DUE)
    assert card_lines(resolved, RESOLVE_BY + timedelta(days=9)) == [
        f"First response :white_check_mark: met · due {slack_date(DUE)}",
        f"Resolution :white_check_mark: met · due {slack_date(RESOLVE_BY)}",
    ]


def test_a_cancelled_request_shows_only_what_was_already_decided() -> None:
    cancelled = _promised(RequestStatus.CANCELLED)
    assert card_lines(cancelled, RESOLVE_BY) == []
    answered = _promised(RequestStatus.CANCELLED, first_response_at=CREATED)
    assert card_lines(answered, RESOLVE_BY) == [
        f"First response :white_check_mark: met · due {slack_date(DUE)}"
    ]


def test_a_request_with_no_promise_shows_none() -> None:
    request = make_request(status=RequestStatus.OPEN)
    assert card_lines(request, CREATED) == []
    assert promise(request) is None
    assert "due" not in str(build_request_card(request, now=CREATED)["blocks"])


def test_the_card_and_the_confirmation_carry_the_promise() -> None:
    request = _promised(RequestStatus.OPEN)
    card = str(build_request_card(request, now=CREATED)["blocks"])
    assert f"First response on track · due {slack_date(DUE)}" in card
    confirmation = str(build_filed_confirmation(request, card_posted=True)["blocks"])
    assert f"First response due by {slack_date(DUE)}." in confirmation
