"""Resolve → pulse DM → answer → report, through the real endpoint and the job runner."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.reports import store as reports
from models import Job, SurveyMessage
from tests.e2e.conftest import Desk
from tests.e2e.helpers import (
    action_ids,
    file_request,
    get_request,
    pulse_dms,
    pulses,
    rating_of,
    resolve,
    run_jobs,
    text_of,
)

DELAY = timedelta(seconds=1800)


def test_resolved_request_gets_one_pulse_after_the_delay_and_a_click_rates_it(desk: Desk) -> None:
    request = file_request(desk)
    resolve(desk, request)

    run_jobs(desk)
    assert pulse_dms(desk, "U0ALICE") == []

    desk.clock.advance(DELAY)
    summary = run_jobs(desk)
    assert summary.done == 1
    [pulse_dm] = pulse_dms(desk, "U0ALICE")
    assert "IT Help Desk" in text_of(pulse_dm)
    assert f"REQ-{request.id}" in text_of(pulse_dm)
    assert action_ids(pulse_dm.params["blocks"]) == [f"satisfaction_rate_{n}" for n in range(1, 6)]
    [pulse] = pulses(desk)
    assert pulse.state == "sent"

    result = desk.slack.block_action(
        "satisfaction_rate_4", user="U0ALICE", value=f"pulse:{pulse.id}", channel="D0ALICE"
    )
    assert result.status == 200
    update = desk.fake.wait_for_call(
        "chat.update", where=lambda c: c.params.get("channel", "").startswith("D")
    )[-1]
    assert "4/5" in text_of(update)
    assert action_ids(update.params["blocks"]) == ["satisfaction_comment", "satisfaction_change"]
    rating = rating_of(desk, request.id)
    assert rating is not None
    assert (rating.score, rating.source) == (4, "button")
    desk.fake.wait_for_call(
        "chat.update",
        where=lambda c: c.params.get("channel") == "C0IT000001" and "Rated *4/5*" in text_of(c),
    )

    desk.clock.advance(timedelta(hours=1))
    assert run_jobs(desk).ran == 0
    assert len(pulse_dms(desk, "U0ALICE")) == 1

    with desk.session_factory() as session:
        report = reports.build_report(session=session, now=desk.clock.now(), days=30)
    it = next(d for d in report.departments if d.key == "it")
    assert (it.requests, it.resolved, it.ratings, it.csat, it.avg_rating) == (1, 1, 1, 100, 4.0)


def _rated_with_comment(desk: Desk, comment: str) -> int:
    request = file_request(desk)
    resolve(desk, request)
    desk.clock.advance(DELAY)
    run_jobs(desk)
    [pulse] = pulses(desk)
    desk.slack.block_action(
        "satisfaction_rate_2", user="U0ALICE", value=f"pulse:{pulse.id}", channel="D0ALICE"
    )
    desk.fake.wait_for(lambda _: (r := rating_of(desk, request.id)) is not None and r.score == 2)
    assert (
        desk.slack.comment_submission(user="U0ALICE", pulse_id=pulse.id, comment=comment).status
        == 200
    )
    desk.fake.wait_for(lambda _: (r := rating_of(desk, request.id)) is not None and r.comment)
    return request.id


def _home_for(desk: Desk, user: str) -> str:
    before = len(desk.fake.calls_to("views.publish"))
    desk.slack.event({"type": "app_home_opened", "user": user, "tab": "home"})
    [*_, home] = desk.fake.wait_for_call("views.publish", count=before + 1)
    assert home.params["user_id"] == user
    return text_of(home) + str(home.params["view"])


def test_leads_see_their_teams_results_and_comments_on_app_home(desk: Desk) -> None:
    request_id = _rated_with_comment(desk, "Took <!here> three days")

    lead_home = _home_for(desk, "U0ITLEAD")
    assert "Your teams: the last 30 days" in lead_home
    assert "IT Help Desk" in lead_home
    assert "*CSAT*\\n0% of 1 rating" in lead_home
    assert f"REQ-{request_id}" in lead_home
    assert "Took &lt;!here&gt; three days" in lead_home
    assert "<!here>" not in lead_home


def test_requesters_and_other_teams_leads_do_not_see_comments(desk: Desk) -> None:
    _rated_with_comment(desk, "Took three days")

    for user in ("U0ALICE", "U0AGENT1"):
        home = _home_for(desk, user)
        assert "Recent feedback" not in home
        assert "Took three days" not in home


def test_a_sent_pulse_closes_when_its_request_is_reopened(desk: Desk) -> None:
    request = file_request(desk)
    resolve(desk, request)
    desk.clock.advance(DELAY)
    run_jobs(desk)
    [pulse] = pulses(desk)
    desk.slack.block_action("request_reopen", user="U0ALICE", value=f"req:{request.id}")
    desk.fake.wait_for_call("response_url", where=lambda c: "You reopened" in text_of(c))
    assert get_request(desk, request.id).status == "open"

    before = len(desk.fake.calls_to("response_url"))
    desk.slack.block_action(
        "satisfaction_rate_5", user="U0ALICE", value=f"pulse:{pulse.id}", channel="D0ALICE"
    )
    [*_, reply] = desk.fake.wait_for_call("response_url", count=before + 1)
    assert "was reopened, so this survey has closed" in text_of(reply)
    assert rating_of(desk, request.id) is None


def test_a_pulse_retried_after_a_429_is_dropped_if_the_requester_rated_meanwhile(
    desk: Desk,
) -> None:
    request = file_request(desk)
    resolution_dm = resolve(desk, request)
    desk.clock.advance(DELAY)
    desk.fake.rate_limit("chat.postMessage", times=1, retry_after=30)
    summary = run_jobs(desk)
    assert summary.rate_limited_until is not None
    [pulse] = pulses(desk)
    assert pulse.state == "sending"

    assert resolution_dm.params["channel"] == "U0ALICE"
    with desk.session_factory() as session:
        message = session.scalars(
            select(SurveyMessage).where(SurveyMessage.kind == "resolution")
        ).one()
        channel, message_ts = message.channel_id, message.ts
    desk.slack.reaction("star-struck", user="U0ALICE", channel=channel, ts=message_ts)
    desk.fake.wait_for(lambda _: (r := rating_of(desk, request.id)) is not None and r.score == 5)

    desk.clock.advance(timedelta(seconds=30))
    run_jobs(desk)
    # The one recorded attempt is the call Slack answered 429; no pulse went out after it.
    assert len(pulse_dms(desk, "U0ALICE")) == 1
    [settled] = pulses(desk)
    assert (settled.state, settled.skip_reason) == ("skipped", "rated")


def test_a_request_whose_card_was_posted_leaves_no_job_behind(desk: Desk) -> None:
    file_request(desk)
    with desk.session_factory() as session:
        states = list(session.scalars(select(Job.state).where(Job.kind == "request.post_card")))
    assert states == ["cancelled"]
