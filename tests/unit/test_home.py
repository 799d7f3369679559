"""App Home as a whole: every part at its fullest still fits Slack's 100 blocks."""

from __future__ import annotations

import json
from dataclasses import replace

from bot.home.messages import build_home_view
from bot.requests.rules import Queue, RequestStatus
from bot.satisfaction.rules import FeedbackItem, TeamFeedback
from tests.unit.requests.test_messages import CREATED, make_request


def test_home_fits_its_100_blocks_with_every_part_full() -> None:
    many = [replace(make_request(status=RequestStatus.OPEN), id=n) for n in range(1, 40)]
    queue = Queue(many[:8], total=250)
    feedback = TeamFeedback(
        departments=[],
        recent=[FeedbackItem(request, 3, "fine", CREATED) for request in many[:30]],
        days=30,
    )
    view = build_home_view(
        many,
        [many[0].department] * 12,
        feedback,
        kudos_left=3,
        queues=[("IT", queue)] * 3,
        now=CREATED,
        resolved=many[:10],
    )
    assert len(view["blocks"]) <= 100
    assert "request_claim" in json.dumps(view)
