"""App Home as a whole: every part at its fullest still fits Slack's 100 blocks."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from bot.home.leads.messages import read_page
from bot.home.messages import build_home_view
from bot.home.rules import concerned, refresh_minute
from bot.reports.rules import DepartmentReport
from bot.requests.rules import Queue, RequestStatus
from bot.satisfaction.rules import DEPARTMENTS_PER_PAGE, FeedbackItem, TeamFeedback
from bot.weekly.comments.rules import COMMENTS_SHOWN, ShownComment
from bot.weekly.updates.rules import LedDepartment, PulseHome, SharedUpdate
from tests.unit.requests.test_messages import CREATED, make_request


def test_home_fits_its_100_blocks_with_every_part_full() -> None:
    many = [replace(make_request(status=RequestStatus.OPEN), id=n) for n in range(1, 40)]
    queue = Queue(many[:8], total=250)
    departments = [_department(f"team{n}") for n in range(DEPARTMENTS_PER_PAGE)]
    feedback = TeamFeedback(
        departments=departments,
        recent=[FeedbackItem(request, 3, "fine", CREATED) for request in many[:30]],
        days=30,
        before=departments,
        page=1,
        pages=3,
    )
    view = build_home_view(
        many,
        [many[0].department] * 12,
        feedback,
        kudos_left=3,
        queues=[("IT", queue)] * 3,
        now=CREATED,
        resolved=many[:10],
        claimed=Queue(many[:8], total=20),
        charts={d.key: f"F{n}" for n, d in enumerate(departments)},
        heatmap="FHEAT",
        pulse=_full_pulse(),
    )
    assert len(view["blocks"]) <= 100
    sent = json.dumps(view)
    assert "request_claim" in sent
    assert "weekly_share" in sent
    assert "weekly_reply" in sent
    assert sent.count('"slack_file"') == DEPARTMENTS_PER_PAGE + 1
    assert "home_page_next" in sent
    assert "and 12 more." in sent


def test_the_last_page_of_departments_goes_back_and_no_further() -> None:
    departments = [_department(f"team{n}") for n in (4, 5)]
    feedback = TeamFeedback(departments=departments, recent=[], days=30, page=2, pages=2)
    view = build_home_view([], [], feedback, now=CREATED)
    sent = json.dumps(view)
    assert "home_page_previous" in sent
    assert "home_page_next" not in sent
    assert "*team5*" in sent
    assert "*team0*" not in sent


def _department(key: str) -> DepartmentReport:
    return DepartmentReport(
        key=key,
        name=key,
        requests=10,
        open=2,
        resolved=8,
        median_first_response_seconds=600.0,
        median_resolution_seconds=7200.0,
        csat=80,
        ratings=5,
        avg_rating=4.0,
        p90_first_response_seconds=None,
        p90_resolution_seconds=None,
        team_id="T1",
    )


@pytest.mark.parametrize(
    ("value", "page"),
    [("leads:2", 2), ("leads:0", 1), ("leads:-3", 1), ("leads:٣", 1), ("x:2", 1), ("", 1)],
)
def test_a_paging_button_asks_for_a_page_and_nothing_else(value: str, page: int) -> None:
    assert read_page(value) == page


def test_changes_within_a_minute_are_drawn_at_its_end() -> None:
    first = refresh_minute(datetime(2026, 11, 2, 9, 0, 0, tzinfo=UTC))
    same = refresh_minute(datetime(2026, 11, 2, 9, 0, 59, tzinfo=UTC))
    assert first == same
    assert first[1] == datetime(2026, 11, 2, 9, 1, tzinfo=UTC)
    assert refresh_minute(datetime(2026, 11, 2, 9, 1, 0, tzinfo=UTC))[0] == first[0] + 1


def test_a_change_concerns_the_requester_both_owners_and_the_department() -> None:
    before = replace(make_request(status=RequestStatus.CLAIMED), assignee_id="U0OLD")
    after = replace(before, assignee_id="U0NEW")
    people = concerned([before, after])
    assert {"U0OLD", "U0NEW", before.requester_id} <= people
    assert set(before.department.agents) | set(before.department.leads) <= people


def _full_pulse() -> PulseHome:
    """Home's part of the weekly pulse with more of everything than it shows."""
    update = SharedUpdate(1, 7, "IT", "On-call from Monday", CREATED, None)
    comment = ShownComment("0" * 32, "T0TEST", "2026-W45", 7, "Slow", "v1.token")
    return PulseHome(
        changes=[update] * 10,
        led=[LedDepartment(7, "IT", update)] * 10,
        comments=[(comment, "IT", True)] * COMMENTS_SHOWN,
    )
