"""App Home as a whole: every part at its fullest still fits Slack's 100 blocks."""

from __future__ import annotations

import json
from dataclasses import replace

from bot.home.messages import build_home_view
from bot.requests.rules import Queue, RequestStatus
from bot.satisfaction.rules import FeedbackItem, TeamFeedback
from bot.weekly.comments.rules import COMMENTS_SHOWN, ShownComment
from bot.weekly.updates.rules import LedDepartment, PulseHome, SharedUpdate
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
        pulse=_full_pulse(),
    )
    assert len(view["blocks"]) <= 100
    assert "request_claim" in json.dumps(view)
    assert "weekly_share" in json.dumps(view)
    assert "weekly_reply" in json.dumps(view)


def _full_pulse() -> PulseHome:
    """Home's part of the weekly pulse with more of everything than it shows."""
    update = SharedUpdate(1, 7, "IT", "On-call from Monday", CREATED, None)
    comment = ShownComment("0" * 32, "T0TEST", "2026-W45", 7, "Slow", "v1.token")
    return PulseHome(
        changes=[update] * 10,
        led=[LedDepartment(7, "IT", update)] * 10,
        comments=[(comment, "IT", True)] * COMMENTS_SHOWN,
    )
