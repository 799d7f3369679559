"""A private request in every message others may read: named by its reference alone, never its
text, and never its requester; in what its requester reads, in full."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta

import pytest

from bot.blockkit import Message
from bot.conversations.messages import build_reply_to_desk
from bot.conversations.rules import ThreadMessage
from bot.home.messages import build_home_view
from bot.requests.messages import (
    build_assigned_dm,
    build_claimed_dm,
    build_filed_confirmation,
    build_request_card,
    build_resolved_dm,
)
from bot.requests.privacy.messages import build_private_view
from bot.requests.rules import RequestSnapshot, RequestStatus
from bot.requests.waiting.messages import build_question_for_desk
from bot.satisfaction.messages import build_lead_alert
from bot.satisfaction.rules import FeedbackItem, TeamFeedback
from bot.service_levels.messages import build_escalation_dm, build_overdue_note, build_reminder
from bot.service_levels.rules import Target
from tests.unit.requests.test_messages import AGENT, CREATED, REQUESTER, make_request

SECRET = "a question about my salary advance"


def _private(status: RequestStatus = RequestStatus.OPEN) -> RequestSnapshot:
    request = make_request(status=status, text=SECRET)
    return replace(
        request,
        private=True,
        first_response_due_at=CREATED + timedelta(hours=1),
        resolution_due_at=CREATED + timedelta(days=1),
    )


def _dumped(message: Message | dict[str, object]) -> str:
    return json.dumps(message)


def _home_with_feedback(request: RequestSnapshot) -> dict[str, object]:
    feedback = TeamFeedback(
        departments=[],
        recent=[FeedbackItem(request, 2, "the HR person was rude about my salary", CREATED)],
        days=30,
    )
    return build_home_view([], [request.department], feedback)


OTHERS_READ = {
    "card": lambda r: build_request_card(r, now=CREATED),
    "claimed card": lambda r: build_request_card(
        replace(r, status=RequestStatus.CLAIMED, assignee_id=AGENT), now=CREATED
    ),
    "reminder": lambda r: build_reminder(r, Target.FIRST_RESPONSE),
    "overdue note": lambda r: build_overdue_note(r, Target.RESOLUTION, leads_told=True),
    "assigned DM": lambda r: build_assigned_dm(r, assigned_by=AGENT),
    "lead alert": lambda r: build_lead_alert(r, score=1, comment=None),
    "question in the card's thread": lambda r: build_question_for_desk(
        r, agent_id=AGENT, question="Which month?"
    ),
    "requester's reply in the card's thread": lambda r: build_reply_to_desk(
        r, ThreadMessage("T0TEAM", "D0ALICE", "1700000001.000100", "1.1", REQUESTER, SECRET)
    ),
    "home feedback": _home_with_feedback,
}


@pytest.mark.parametrize("name", sorted(OTHERS_READ))
def test_what_others_read_never_says_what_a_private_request_is_about(name: str) -> None:
    shown = _dumped(OTHERS_READ[name](_private()))
    assert "salary" not in shown
    assert "private request" in shown.lower() or name in (
        "question in the card's thread",
        "requester's reply in the card's thread",
    )


@pytest.mark.parametrize(
    "name", ["card", "claimed card", "question in the card's thread", "home feedback"]
)
def test_the_channel_and_home_do_not_name_a_private_requests_requester(name: str) -> None:
    assert REQUESTER not in _dumped(OTHERS_READ[name](_private()))


def test_the_escalation_dm_to_leads_names_it_by_reference_only() -> None:
    shown = _dumped(build_escalation_dm(_private(), Target.FIRST_RESPONSE, card_link=None))
    assert "salary" not in shown
    assert "REQ-42" in shown


def test_a_private_card_offers_the_agents_a_view_and_nothing_more() -> None:
    card = build_request_card(_private(), now=CREATED)
    action_ids = [
        element.get("action_id")
        for block in card["blocks"]
        for element in [*block.get("elements", []), block.get("accessory") or {}]
    ]
    assert "request_view_private" in action_ids
    assert "Requested by" not in _dumped(card)


def test_what_the_requester_reads_says_it_in_full() -> None:
    request = _private(RequestStatus.CLAIMED)
    for message in (
        build_filed_confirmation(request, card_posted=True),
        build_claimed_dm(request),
        build_resolved_dm(replace(request, status=RequestStatus.RESOLVED)),
    ):
        assert SECRET in _dumped(message)


def test_the_agents_view_shows_the_text_and_the_latest_replies() -> None:
    replies = [(CREATED + timedelta(minutes=n), f"reply {n}") for n in range(30)]
    view = _dumped(build_private_view(_private(), replies=replies))
    assert SECRET in view
    assert "reply 29" in view
    assert 'reply 9"' not in view
