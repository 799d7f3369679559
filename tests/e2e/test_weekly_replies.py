"""Replies to anonymous weekly comments: a writer lets the team reply, a lead replies from App
Home, and the writer gets it by DM, once, while nothing the lead sees and nothing stored with
the comment says who they are."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot.calendar import Week
from bot.errors import NotAllowed
from models import Base, Job, WeeklyComment, WeeklyPendingComment
from tests.e2e.conftest import TEAM_ID, Desk, DeskFactory
from tests.e2e.helpers import click_on_home, dms_to, file_request, intake_settled, run_jobs, text_of
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
)
from tests.fake_slack import ScriptedFailure

WEEK = Week.of(datetime(2026, 11, 2, tzinfo=UTC).date())
PEOPLE = [f"U0P{n:02d}" for n in range(5)]
WRITER = "U0P00"
KEY = "k" * 16 + "0123456789abcdefghijklmnop"
OTHER_KEY = "z" * 16 + "0123456789abcdefghijklmnop"
COMMENT = "The VPN queue took three days this week"
REPLY = "Thanks <!channel> & sorry: from Monday the VPN team has an on-call agent"


def _comment(desk: Desk, user: str, delivery_id: int, text: str, *, reply: bool) -> dict[str, Any]:
    """Open the comment form from the DM, fill it in and send it; returns the form."""
    trigger = f"comment-{user}"
    desk.slack.block_action(
        "weekly_comment", user=user, value=f"weekly:{delivery_id}", trigger_id=trigger
    )
    form = opened_form(desk, trigger)
    values = {
        "weekly_comment_about": {
            "weekly_comment_about": {
                "type": "static_select",
                "selected_option": {"value": str(department_id(desk, "it"))},
            }
        },
        **typed("weekly_comment_text", text),
        "weekly_comment_reply": {
            "weekly_comment_reply": {
                "type": "checkboxes",
                "selected_options": [{"value": "reply"}] if reply else [],
            }
        },
    }
    assert desk.slack.submit_view(form, values, user=user).status == 200
    return form


def _week_with_comments(desk: Desk) -> None:
    for user in PEOPLE:
        file_request(desk, "it laptop", user=user)
    deliveries = start_round(desk, WEEK, PEOPLE)
    for user in PEOPLE:
        answer(desk, user, deliveries[user], 0, 3)
    _comment(desk, WRITER, deliveries[WRITER], COMMENT, reply=True)
    _comment(desk, "U0P01", deliveries["U0P01"], "Fine otherwise", reply=False)
    intake_settled(desk)
    close_week(desk, WEEK)


def _comments(desk: Desk) -> list[WeeklyComment]:
    with desk.session_factory() as session:
        return list(session.scalars(select(WeeklyComment)))


def _reply_dms(desk: Desk) -> list[Any]:
    return [c for c in dms_to(desk, WRITER) if "replied to your anonymous comment" in text_of(c)]


def _every_row(desk: Desk) -> list[str]:
    """Every row of every table, as text."""
    with desk.session_factory() as session:
        return [
            json.dumps(list(row), default=str)
            for table in Base.metadata.sorted_tables
            for row in session.execute(select(table)).all()
        ]


def test_a_lead_replies_to_an_anonymous_comment_without_learning_who_wrote_it(
    desk_with: DeskFactory,
) -> None:
    desk = desk_with(pulse_reply_key=KEY)
    _week_with_comments(desk)
    [asked] = [c for c in _comments(desk) if c.text == COMMENT]
    [silent] = [c for c in _comments(desk) if c.text != COMMENT]
    assert asked.reply_token
    assert asked.reply_token.startswith("v1.")
    assert WRITER not in asked.reply_token
    assert silent.reply_token is None

    [reply_button] = buttons(home_of(desk, LEAD), "weekly_reply")
    assert reply_button["value"] == f"wcomment:{asked.id}"
    assert buttons(home_of(desk, "U0P02"), "weekly_reply") == []

    # Someone who is not IT Help Desk's lead cannot open the form.
    click_on_home(desk, "U0P02", reply_button, trigger_id="reply-mallory")
    desk.fake.wait_for_call(
        "chat.postMessage",
        where=lambda c: c.params.get("channel") == "U0P02" and "leads" in text_of(c),
    )
    assert not [c for c in desk.fake.calls_to("views.open") if "mallory" in c.params["trigger_id"]]

    click_on_home(desk, LEAD, reply_button, trigger_id="reply1")
    form = opened_form(desk, "reply1")
    assert form["callback_id"] == "weekly_reply"
    assert COMMENT in json.dumps(form)
    empty = desk.slack.submit_view(form, typed("weekly_reply_text", " "), user=LEAD)
    assert empty.json()["response_action"] == "errors"
    too_long = desk.slack.submit_view(form, typed("weekly_reply_text", "x" * 2001), user=LEAD)
    assert too_long.json()["response_action"] == "errors"

    # Submitted, and delivered again by Slack: one DM.
    for _ in range(2):
        desk.slack.submit_view(form, typed("weekly_reply_text", REPLY), user=LEAD)
    [dm] = desk.fake.wait_for(lambda _: _reply_dms(desk) or None)
    intake_settled(desk)
    run_jobs(desk)
    assert len(_reply_dms(desk)) == 1
    shown = text_of(dm)
    assert "*IT Help Desk* replied to your anonymous comment from the week of 02 November 2026" in (
        shown
    )
    assert COMMENT in shown
    assert "Thanks &lt;!channel&gt; &amp; sorry" in shown
    assert "<!channel>" not in shown
    [delivered] = desk.fake.wait_for_call(
        "chat.postMessage",
        where=lambda c: c.params.get("channel") == LEAD and "was delivered" in text_of(c),
    )

    # A forged comment id changes nothing and says so.
    forged = {**form, "private_metadata": json.dumps({"comment": "0" * 32})}
    desk.slack.submit_view(forged, typed("weekly_reply_text", REPLY), user=LEAD)
    desk.fake.wait_for_call(
        "chat.postMessage",
        where=lambda c: c.params.get("channel") == LEAD and "not there any more" in text_of(c),
    )
    intake_settled(desk)
    assert len(_reply_dms(desk)) == 1

    # Nothing Slack was told for or about the lead names the writer.
    lead_forms = ("reply1", "reply-mallory")
    seen_by_lead = [
        c
        for c in desk.fake.calls
        if LEAD in json.dumps(c.params) or c.params.get("trigger_id") in lead_forms
    ]
    assert delivered in seen_by_lead
    assert not [c for c in seen_by_lead if WRITER in json.dumps(c.params)]

    # Nothing stored with the comment, its reply or its token names the writer in the clear.
    linked = [
        row
        for row in _every_row(desk)
        if asked.id in row or COMMENT in row or asked.reply_token in row or "VPN team" in row
    ]
    assert linked
    assert not [row for row in linked if WRITER in row]

    # With another key the comment cannot be answered, and nothing is sent.
    rotated = desk_with(pulse_reply_key=OTHER_KEY)
    rotated.pulsedesk.services.home.publish(team_id=TEAM_ID, user_id=LEAD)
    [*_, republished] = [
        c for c in rotated.fake.calls_to("views.publish") if c.params["user_id"] == LEAD
    ]
    assert buttons(republished.params["view"], "weekly_reply") == []
    with pytest.raises(NotAllowed, match="key"):
        rotated.pulsedesk.services.replies.reply(
            team_id=TEAM_ID, user_id=LEAD, comment_id=asked.id, text=REPLY, view_id="V0OTHER"
        )
    assert len(_reply_dms(desk)) == 1


def test_without_a_reply_key_the_comment_form_offers_no_reply(desk: Desk) -> None:
    for user in PEOPLE:
        file_request(desk, "it laptop", user=user)
    deliveries = start_round(desk, WEEK, PEOPLE)
    answer(desk, WRITER, deliveries[WRITER], 0, 3)
    form = _comment(desk, WRITER, deliveries[WRITER], COMMENT, reply=True)
    assert "weekly_comment_reply" not in json.dumps(form["blocks"])
    intake_settled(desk)
    with desk.session_factory() as session:
        [pending] = session.scalars(select(WeeklyPendingComment)).all()
    assert pending.text == COMMENT
    assert pending.reply_token is None


def test_a_reply_cut_short_after_reaching_the_writer_is_finished_later_and_sent_once(
    desk_with: DeskFactory,
) -> None:
    desk = desk_with(pulse_reply_key=KEY)
    _week_with_comments(desk)
    [reply_button] = buttons(home_of(desk, LEAD), "weekly_reply")
    click_on_home(desk, LEAD, reply_button, trigger_id="reply2")
    form = opened_form(desk, "reply2")
    # The writer's DM goes out; the lead's confirmation fails, so the work stops there.
    desk.fake.fail_where(
        "chat.postMessage",
        lambda params: params.get("channel") == LEAD and "delivered" in json.dumps(params),
        ScriptedFailure(200, body={"ok": False, "error": "channel_not_found"}),
    )
    desk.slack.submit_view(form, typed("weekly_reply_text", REPLY), user=LEAD)
    desk.fake.wait_for(lambda _: _reply_dms(desk) or None)
    intake_settled(desk)
    assert [job.state for job in _reply_jobs(desk)] == ["pending"]
    refused = len([c for c in dms_to(desk, LEAD) if "was delivered" in text_of(c)])

    # Its job takes it up later, finds the DM already there, and only confirms.
    desk.clock.advance(timedelta(minutes=3))
    run_jobs(desk)
    confirmations = [c for c in dms_to(desk, LEAD) if "was delivered" in text_of(c)]
    assert len(confirmations) == refused + 1
    assert len(_reply_dms(desk)) == 1
    [job] = _reply_jobs(desk)
    assert (job.state, job.payload) == ("done", {})


def _reply_jobs(desk: Desk) -> list[Job]:
    with desk.session_factory() as session:
        return list(session.scalars(select(Job).where(Job.kind == "weekly.reply")))
