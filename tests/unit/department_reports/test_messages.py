"""The weekly department report's message: figures beside the week before, the pulse within
the anonymity rule, the oldest open requests, and one line for a quiet week."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from bot.calendar import Week
from bot.department_reports.messages import build_weekly_report, pulse_figure
from bot.department_reports.rules import OpenRequest, PulseWeek, WeeklyReport, chart_name
from bot.reports.rules import DepartmentReport
from bot.requests.rules import RequestStatus
from bot.sandbox.limits import message_problems
from tests.unit.requests.test_messages import make_request

UNTIL = datetime(2026, 11, 9, 10, 0, tzinfo=UTC)


def _week(requests: int = 0, **values: object) -> DepartmentReport:
    report = DepartmentReport(
        key="it",
        name="IT <Help> & Desk",
        requests=requests,
        open=0,
        resolved=0,
        median_first_response_seconds=None,
        median_resolution_seconds=None,
        csat=None,
        ratings=0,
        avg_rating=None,
        p90_first_response_seconds=None,
        p90_resolution_seconds=None,
        team_id="T1",
    )
    return replace(report, **values)  # type: ignore[arg-type]


def _report(last: DepartmentReport, **values: object) -> WeeklyReport:
    report = WeeklyReport(
        department_name="IT <Help> & Desk",
        until=UNTIL,
        last=last,
        before=_week(),
        pulse=None,
        pulse_before=None,
        open_total=0,
        oldest=(),
        anonymity_minimum=5,
    )
    return replace(report, **values)  # type: ignore[arg-type]


def test_a_week_with_work_sets_each_figure_beside_the_week_before() -> None:
    last = _week(
        4,
        resolved=3,
        ratings=2,
        csat=50,
        kudos=3,
        median_first_response_business_seconds=1800.0,
        first_response_sla_met=75,
    )
    request = make_request(status=RequestStatus.OPEN)
    message = build_weekly_report(
        _report(
            last,
            before=_week(2, ratings=1, csat=100, kudos=3),
            open_total=1,
            oldest=(OpenRequest(request, "https://example.test/archives/C1/p1"),),
            pulse=PulseWeek(date(2026, 10, 26), 4.2, 6),
            pulse_before=PulseWeek(date(2026, 10, 19), 3.9, 7),
        )
    )
    sent = json.dumps(message, ensure_ascii=False)
    assert message_problems(message) == []
    assert message["text"] == "IT &lt;Help&gt; &amp; Desk: the week to 09 Nov"
    assert "*Requests filed*\\n4 _(was 2)_" in sent
    assert "*Median first response*\\n30m _(was -)_" in sent
    assert "*CSAT*\\n50% of 2 ratings _(was 100% of 1 rating)_" in sent
    # Unchanged figures are not repeated.
    assert '*Kudos received*\\n3"' in sent
    assert "*Pulse score*, week of 26 Oct\\n4.2 of 5 _(was 3.9 of 5)_" in sent
    assert f"<https://example.test/archives/C1/p1|{request.reference}>" in sent
    assert "The last 12 weeks are in the thread." in sent
    assert "<Help>" not in sent


def test_a_quiet_week_is_one_line() -> None:
    message = build_weekly_report(_report(_week()))
    assert len(message["blocks"]) == 1
    assert "a quiet week" in message["text"]
    assert "<Help>" not in json.dumps(message)


@pytest.mark.parametrize(
    ("last", "open_total"),
    [(_week(1), 0), (_week(resolved=1), 0), (_week(ratings=1), 0), (_week(), 1)],
)
def test_a_week_is_not_quiet_with_anything_filed_resolved_rated_or_open(
    last: DepartmentReport, open_total: int
) -> None:
    assert not _report(last, open_total=open_total).quiet


def test_the_pulse_says_why_it_has_no_score() -> None:
    assert pulse_figure(None, None, minimum=5).endswith(
        "not enough answers yet: no week's answers are final"
    )
    too_few = pulse_figure(PulseWeek(date(2026, 10, 26), None, 0), None, minimum=5)
    assert too_few == "*Pulse score*, week of 26 Oct\nnot enough answers yet: fewer than 5 answered"


def test_a_chart_is_named_for_its_department_and_week() -> None:
    assert chart_name("it", Week(date(2026, 11, 9))) == "it-2026-W46-trend.png"
