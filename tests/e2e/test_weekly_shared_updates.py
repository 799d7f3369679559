"""Share what we're doing: a department's lead answers its weekly pulse results from App Home,
the next round's DM shows the answer to the people asked about that department, and only to
them, and only that week; Home and the report list it."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlalchemy import select

from bot.calendar import Week
from bot.reports import store as reports
from bot.reports.formats import render_json, render_text
from models import WeeklySharedUpdate
from tests.e2e.conftest import Desk
from tests.e2e.helpers import click_on_home, file_request, intake_settled, text_of
from tests.e2e.pulse_steps import (
    LEAD,
    answer,
    buttons,
    close_week,
    department_id,
    home_of,
    opened_form,
    start_round,
    typed,
    weekly_dms,
)
from tests.e2e.slack_client import HttpResult

ANSWERED_WEEK = Week.of(datetime(2026, 11, 2, tzinfo=UTC).date())
NEXT_WEEK = Week.of(datetime(2026, 11, 16, tzinfo=UTC).date())
WEEK_AFTER = Week.of(datetime(2026, 11, 23, tzinfo=UTC).date())
PEOPLE = [f"U0P{n:02d}" for n in range(5)]
SHARED = "VPN & Wi-Fi <!channel>: from Monday the VPN team has an on-call agent"
SHARED_ESCAPED = "VPN &amp; Wi-Fi &lt;!channel&gt;: from Monday the VPN team has an on-call agent"


def _answered_week(desk: Desk) -> None:
    """Five people tell IT Help Desk what they think, and the week's answers close."""
    for user in PEOPLE:
        file_request(desk, "it laptop", user=user)
    deliveries = start_round(desk, ANSWERED_WEEK, PEOPLE)
    for user in PEOPLE:
        answer(desk, user, deliveries[user], 0, 2)
        answer(desk, user, deliveries[user], 1, 3)
    close_week(desk, ANSWERED_WEEK)


def _share(desk: Desk, text: str | None, *, trigger_id: str = "share1") -> HttpResult:
    [share] = buttons(home_of(desk, LEAD), "weekly_share")
    assert share["value"] == f"dept:{department_id(desk, 'it')}"
    click_on_home(desk, LEAD, share, trigger_id=trigger_id)
    form = opened_form(desk, trigger_id)
    return desk.slack.submit_view(form, typed("weekly_share_text", text), user=LEAD)


def _shared_rows(desk: Desk) -> list[WeeklySharedUpdate]:
    with desk.session_factory() as session:
        return list(session.scalars(select(WeeklySharedUpdate)))


def _move_to(desk: Desk, week: Week) -> None:
    desk.clock.advance(datetime.combine(week.monday, datetime.min.time(), UTC) - desk.clock.now())


def test_a_lead_shares_and_only_the_next_round_shows_it_to_the_departments_users(
    desk: Desk,
) -> None:
    _answered_week(desk)
    assert _share(desk, "   ").json()["response_action"] == "errors"
    assert _shared_rows(desk) == []

    assert _share(desk, SHARED, trigger_id="share2").body == ""
    desk.fake.wait_for(lambda _: len(_shared_rows(desk)) == 1)
    [row] = _shared_rows(desk)
    assert (row.text, row.author_id, row.shown_week) == (SHARED, LEAD, None)
    assert row.result_week == ANSWERED_WEEK.key
    assert row.result_responses == 5

    # The next week: one person asked about IT, one about Facilities only, one about no one.
    _move_to(desk, NEXT_WEEK)
    file_request(desk, "it laptop", user="U0P00")
    file_request(desk, "facilities badge", user="U0FAC")
    start_round(desk, NEXT_WEEK, ["U0P00", "U0FAC", "U0NONE"])
    [it_user] = weekly_dms(desk, "U0P00")[-1:]
    shown = text_of(it_user)
    assert "Last time you told *IT Help Desk*" in shown
    assert "they answered" in shown
    assert SHARED_ESCAPED in shown
    assert "<!channel>" not in shown
    assert shown.count(SHARED_ESCAPED) == 1
    for other in ("U0FAC", "U0NONE"):
        [dm] = weekly_dms(desk, other)
        assert "VPN team" not in text_of(dm)
        assert "they answered" not in text_of(dm)
    assert _shared_rows(desk)[0].shown_week == NEXT_WEEK.key

    changes = json.dumps(home_of(desk, "U0P00"))
    assert "What changed because of the pulse" in changes
    assert SHARED_ESCAPED in changes
    assert "What changed because of the pulse" not in json.dumps(home_of(desk, "U0NONE"))

    # The week after, it is not shown again.
    _move_to(desk, WEEK_AFTER)
    file_request(desk, "it laptop", user="U0P00")
    start_round(desk, WEEK_AFTER, ["U0P00"])
    latest = weekly_dms(desk, "U0P00")[-1]
    assert "Your weekly pulse" in text_of(latest)
    assert "VPN team" not in text_of(latest)
    assert "they answered" not in text_of(latest)

    with desk.session_factory() as session:
        report = reports.build_report(session=session, now=desk.clock.now(), days=30)
    it = next(d for d in json.loads(render_json(report))["departments"] if d["key"] == "it")
    [entry] = it["shared_updates"]
    assert (entry["text"], entry["shared_by"]) == (SHARED, LEAD)
    assert (entry["answers_week"], entry["shown_in_week"]) == (ANSWERED_WEEK.key, NEXT_WEEK.key)
    assert SHARED in render_text(report)


def test_only_a_lead_can_share_and_a_retried_form_is_kept_once(desk: Desk) -> None:
    _answered_week(desk)
    it_id = department_id(desk, "it")
    click_on_home(
        desk,
        "U0P01",
        {"action_id": "weekly_share", "value": f"dept:{it_id}"},
        trigger_id="share-mallory",
    )
    [refusal] = desk.fake.wait_for_call(
        "chat.postMessage",
        where=lambda c: c.params.get("channel") == "U0P01" and "leads" in text_of(c),
    )
    assert "IT Help Desk" in text_of(refusal)
    assert not [
        c for c in desk.fake.calls_to("views.open") if c.params["trigger_id"] == "share-mallory"
    ]

    [share] = buttons(home_of(desk, LEAD), "weekly_share")
    click_on_home(desk, LEAD, share, trigger_id="share3")
    form = opened_form(desk, "share3")
    for _ in range(2):
        assert (
            desk.slack.submit_view(form, typed("weekly_share_text", SHARED), user=LEAD).status
            == 200
        )
    desk.fake.wait_for(lambda _: len(_shared_rows(desk)) >= 1)
    intake_settled(desk)
    assert len(_shared_rows(desk)) == 1

    forged = {**form, "private_metadata": json.dumps({"department": 999999})}
    desk.slack.submit_view(forged, typed("weekly_share_text", "Not ours"), user=LEAD)
    desk.fake.wait_for_call(
        "chat.postMessage",
        where=lambda c: c.params.get("channel") == LEAD and "not there any more" in text_of(c),
    )
    assert len(_shared_rows(desk)) == 1
