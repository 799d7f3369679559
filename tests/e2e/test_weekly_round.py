"""A weekly pulse round through the fake Slack: audience, one DM each, anonymous answers."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import inspect, select

from bot.__main__ import main
from bot.calendar import Week
from bot.db import SessionFactory
from bot.pacing import Pacer
from bot.reports import store as reports
from bot.weekly.rules import results_final_at
from models import (
    Department,
    Job,
    WeeklyAnswer,
    WeeklyComment,
    WeeklyDelivery,
    WeeklyPendingAnswer,
    WeeklyPendingComment,
)
from tests.e2e.conftest import Desk, start_desk
from tests.e2e.helpers import action_ids, file_request, run_jobs, text_of
from tests.fake_clock import FakeClock
from tests.fake_slack import Call, FakeSlack

WEEK = Week.of(datetime(2026, 11, 2, tzinfo=UTC).date())


def _member(user_id: str, tz: str = "Europe/London", **flags: Any) -> dict[str, Any]:
    return {"id": user_id, "tz": tz, "deleted": False, "is_bot": False, **flags}


def _weekly_dms(desk: Desk, user: str | None = None) -> list[Call]:
    return [
        c
        for c in desk.fake.calls_to("chat.postMessage")
        if "weekly pulse" in c.params.get("text", "").lower()
        and (user is None or c.params.get("channel") == user)
    ]


def _start(desk: Desk, *, send_now: bool = True) -> None:
    desk.pulsedesk.services.rounds.start_round(team_id="T0TEST", week=WEEK, send_now=send_now)


def test_everyone_in_the_audience_gets_one_dm_and_a_second_run_sends_nothing(
    desk: Desk,
) -> None:
    desk.fake.members = [
        _member("U0ALICE"),
        _member("U0BOB"),
        _member("U0GONE", deleted=True),
        _member("U0ROBOT", is_bot=True),
        _member("USLACKBOT"),
        _member("U0GUEST", is_ultra_restricted=True),
    ]
    _start(desk)
    run_jobs(desk)
    assert sorted(c.params["channel"] for c in _weekly_dms(desk)) == ["U0ALICE", "U0BOB"]

    _start(desk)
    run_jobs(desk)
    assert len(_weekly_dms(desk)) == 2


def test_people_who_opted_out_get_nothing(desk: Desk) -> None:
    desk.fake.members = [_member("U0ALICE"), _member("U0BOB")]
    desk.slack.slash_command("off", user="U0BOB", command="/pulse")
    desk.fake.wait_for_call("response_url")
    _start(desk)
    run_jobs(desk)
    assert [c.params["channel"] for c in _weekly_dms(desk)] == ["U0ALICE"]


def test_each_person_gets_it_at_the_scheduled_time_in_their_own_zone(desk: Desk) -> None:
    desk.fake.members = [_member("U0LONDON"), _member("U0LA", tz="America/Los_Angeles")]
    _start(desk, send_now=False)
    run_jobs(desk)
    assert _weekly_dms(desk) == []
    desk.clock.advance(timedelta(hours=1))  # 10:00 in London
    run_jobs(desk)
    assert [c.params["channel"] for c in _weekly_dms(desk)] == ["U0LONDON"]
    desk.clock.advance(timedelta(hours=8))  # 10:00 in Los Angeles
    run_jobs(desk)
    assert sorted(c.params["channel"] for c in _weekly_dms(desk)) == ["U0LA", "U0LONDON"]


def test_questions_follow_the_departments_used_and_answers_are_anonymous(desk: Desk) -> None:
    file_request(desk, "it laptop", user="U0ALICE")
    desk.fake.members = [_member("U0ALICE"), _member("U0BOB")]
    _start(desk)
    run_jobs(desk)
    [alice] = _weekly_dms(desk, "U0ALICE")
    [bob] = _weekly_dms(desk, "U0BOB")
    assert "How well did *IT Help Desk* serve you this week?" in text_of(alice)
    assert "the teams that served you" in text_of(bob)
    assert "anonymous" in text_of(alice)

    with desk.session_factory() as session:
        delivery = session.scalars(
            select(WeeklyDelivery).where(WeeklyDelivery.user_id == "U0ALICE")
        ).one()
    value = f"weekly:{delivery.id}:0"
    assert (
        desk.slack.block_action(
            "weekly_answer_4", user="U0ALICE", value=value, channel="D0ALICE"
        ).status
        == 200
    )
    update = desk.fake.wait_for_call(
        "chat.update", where=lambda c: c.params.get("channel") == "D0ALICE"
    )[-1]
    assert "Answered" in text_of(update)
    assert "weekly_answer_4" in action_ids(update.params["blocks"])  # the other questions

    desk.slack.block_action("weekly_answer_5", user="U0ALICE", value=value, channel="D0ALICE")
    desk.fake.wait_for_call(
        "chat.update", count=2, where=lambda c: c.params.get("channel") == "D0ALICE"
    )
    with desk.session_factory() as session:
        pending = session.scalars(select(WeeklyPendingAnswer)).all()
        answered = session.scalars(select(WeeklyDelivery.answered)).all()
        assert session.scalars(select(WeeklyAnswer)).all() == []
    assert [(a.week, a.kind, a.score) for a in pending] == [(WEEK.key, "pulse", 4)]
    assert sorted(map(tuple, answered)) == [(), (0,)]

    # One answer is not released among others until the week's answers close.
    _release_week(desk)
    with desk.session_factory() as session:
        answers = session.scalars(select(WeeklyAnswer)).all()
        assert session.scalars(select(WeeklyPendingAnswer)).all() == []
    assert [(a.week, a.kind, a.score) for a in answers] == [(WEEK.key, "pulse", 4)]
    columns = {c.key for c in inspect(WeeklyAnswer).columns}
    assert columns == {"id", "team_id", "week", "department_id", "kind", "area", "score"}


def test_someone_else_cannot_answer_a_pulse(desk: Desk) -> None:
    desk.fake.members = [_member("U0ALICE")]
    _start(desk)
    run_jobs(desk)
    with desk.session_factory() as session:
        delivery = session.scalars(select(WeeklyDelivery)).one()
    desk.slack.block_action("weekly_answer_1", user="U0MALLORY", value=f"weekly:{delivery.id}:0")
    [reply] = desk.fake.wait_for_call("response_url")
    assert "sent to someone else" in text_of(reply)
    with desk.session_factory() as session:
        assert session.scalars(select(WeeklyAnswer)).all() == []


def test_pulse_weekly_sends_now_once_and_pulse_status_counts_it(
    desk: Desk,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    for name, value in {
        "SLACK_BOT_TOKEN": "xoxb-test-token",
        "SLACK_API_URL": desk.fake.api_url,
        "DATABASE_URL": database_url,
    }.items():
        monkeypatch.setenv(name, value)
    desk.fake.members = [_member("U0ALICE"), _member("U0LA", tz="America/Los_Angeles")]

    assert main(["pulse", "weekly"]) == 0
    assert sorted(c.params["channel"] for c in _weekly_dms(desk)) == ["U0ALICE", "U0LA"]
    assert main(["pulse", "weekly"]) == 0
    assert len(_weekly_dms(desk)) == 2

    capsys.readouterr()
    assert main(["pulse", "status"]) == 0
    status = capsys.readouterr().out
    assert "2 due, 2 sent, 0 failed, 0 answered (response rate 0%)" in status


def test_a_reminder_goes_after_two_days_only_to_those_who_have_not_answered(desk: Desk) -> None:
    desk.fake.members = [_member("U0ALICE"), _member("U0BOB")]
    _start(desk)
    run_jobs(desk)
    with desk.session_factory() as session:
        alice = session.scalars(
            select(WeeklyDelivery).where(WeeklyDelivery.user_id == "U0ALICE")
        ).one()
    desk.slack.block_action(
        "weekly_answer_3", user="U0ALICE", value=f"weekly:{alice.id}:0", channel="D0ALICE"
    )
    desk.fake.wait_for_call("chat.update")

    desk.clock.advance(timedelta(days=2) - timedelta(minutes=1))
    run_jobs(desk)
    assert len(_weekly_dms(desk)) == 2
    desk.clock.advance(timedelta(minutes=1))
    run_jobs(desk)
    reminders = [c for c in _weekly_dms(desk) if c.params["text"].startswith("Reminder")]
    assert [c.params["channel"] for c in reminders] == ["U0BOB"]
    desk.clock.advance(timedelta(days=2))
    run_jobs(desk)
    assert len(_weekly_dms(desk)) == 3


def test_a_pulse_closes_after_five_days(desk: Desk) -> None:
    desk.fake.members = [_member("U0ALICE")]
    _start(desk)
    run_jobs(desk)
    with desk.session_factory() as session:
        delivery = session.scalars(select(WeeklyDelivery)).one()
    desk.clock.advance(timedelta(days=5))
    desk.slack.block_action(
        "weekly_answer_3", user="U0ALICE", value=f"weekly:{delivery.id}:0", channel="D0ALICE"
    )
    [reply] = desk.fake.wait_for_call("response_url")
    assert "has closed" in text_of(reply)
    closed = desk.fake.wait_for_call("chat.update")[-1]
    assert "has closed" in text_of(closed)
    with desk.session_factory() as session:
        assert session.scalars(select(WeeklyAnswer)).all() == []


def test_a_dm_whose_sending_was_interrupted_after_slack_took_it_is_not_sent_again(
    desk: Desk,
) -> None:
    desk.fake.members = [_member("U0ALICE")]
    _start(desk)
    run_jobs(desk)
    [sent] = _weekly_dms(desk)
    # As if the process died after Slack accepted the DM, before the state was recorded.
    with desk.session_factory.begin() as session:
        delivery = session.scalars(select(WeeklyDelivery)).one()
        delivery.state = "sending"
        delivery.ts = None
        job = session.scalars(select(Job).where(Job.kind == "weekly.deliver")).one()
        job.state = "pending"
    run_jobs(desk)

    assert len(_weekly_dms(desk)) == 1
    with desk.session_factory() as session:
        delivery = session.scalars(select(WeeklyDelivery)).one()
    assert (delivery.state, delivery.channel_id) == ("sent", "D0ALICE")
    assert delivery.ts == desk.fake.history["D0ALICE"][0]["ts"]
    assert sent.params["metadata"]["event_type"] == "pulsedesk_weekly_pulse"


def test_a_dm_whose_sending_failed_before_slack_took_it_is_sent(desk: Desk) -> None:
    desk.fake.members = [_member("U0ALICE")]
    desk.fake.server_error("chat.postMessage", times=4)
    _start(desk)
    run_jobs(desk)
    with desk.session_factory() as session:
        assert session.scalars(select(WeeklyDelivery.state)).one() == "sending"
    desk.clock.advance(timedelta(minutes=1))
    run_jobs(desk)
    assert desk.fake.calls_to("conversations.history")
    delivered = [c for c in _weekly_dms(desk) if c.params["channel"] == "U0ALICE"]
    assert len(desk.fake.history["D0ALICE"]) == 1
    assert len(delivered) == 5  # four refused by the fake, then the one that arrived


@pytest.fixture
def paced_desk(
    fake_slack: FakeSlack,
    session_factory: SessionFactory,
    clock: FakeClock,
    database_url: str,
    tmp_path: Path,
) -> Iterator[Desk]:
    desk, server, thread = start_desk(
        fake=fake_slack,
        session_factory=session_factory,
        clock=clock,
        database_url=database_url,
        tmp_path=tmp_path,
        slack_posts_per_minute=PACE_PER_SECOND * 60,
        # Paced on the fake clock, which the fake Slack's limit reads too: the pace is then
        # exactly what the pacer decides, whatever else the machine is doing.
        pacer=Pacer(PACE_PER_SECOND * 60, monotonic=clock.monotonic, sleep=clock.sleep),
    )
    yield desk
    server.stop()
    thread.join(timeout=5)
    desk.pulsedesk.finish_work()


# Below what the bot can send, so the pace, not the bot, sets the spacing.
PACE_PER_SECOND = 30


def test_a_round_paced_under_slacks_limit_meets_no_429(paced_desk: Desk) -> None:
    desk = paced_desk
    desk.fake.enforce_limit(
        "chat.postMessage", per_second=PACE_PER_SECOND * 1.2, burst=1, clock=desk.clock.monotonic
    )
    people = [f"U0P{n:04d}" for n in range(100)]
    desk.fake.members = [_member(user) for user in people]
    _start(desk)
    started = desk.clock.monotonic()
    summary = run_jobs(desk)
    while summary.ran:
        summary = run_jobs(desk)

    assert desk.fake.over_limit.get("chat.postMessage", 0) == 0
    assert sorted(c.params["channel"] for c in _weekly_dms(desk)) == people
    # Each sleep moves the clock by whole microseconds: allow for their rounding.
    paced = desk.clock.monotonic() - started
    assert paced == pytest.approx((len(people) - 1) / PACE_PER_SECOND, abs=1e-3)
    _start(desk)
    run_jobs(desk)
    assert len(_weekly_dms(desk)) == len(people)


def test_an_unpaced_300_person_round_that_meets_429s_still_reaches_everyone_once(
    desk: Desk,
) -> None:
    desk.fake.enforce_limit("chat.postMessage", per_second=20, burst=5, clock=desk.clock.monotonic)
    people = [f"U0P{n:04d}" for n in range(300)]
    desk.fake.members = [_member(user) for user in people]
    _start(desk)
    for _ in range(1000):
        summary = run_jobs(desk)
        if summary.rate_limited_until is None and summary.ran == 0:
            break
        desk.clock.advance(timedelta(seconds=1))
    assert desk.fake.over_limit.get("chat.postMessage", 0) > 0
    with desk.session_factory() as session:
        states = session.scalars(select(WeeklyDelivery.state)).all()
    assert states == ["sent"] * len(people)
    received = {user: len(desk.fake.history.get("D" + user[1:], [])) for user in people}
    assert received == dict.fromkeys(people, 1)


def test_the_requesters_audience_is_those_who_filed_a_request_in_30_days(
    fake_slack: FakeSlack,
    session_factory: SessionFactory,
    clock: FakeClock,
    database_url: str,
    tmp_path: Path,
) -> None:
    desk, server, thread = start_desk(
        fake=fake_slack,
        session_factory=session_factory,
        clock=clock,
        database_url=database_url,
        tmp_path=tmp_path,
        pulse_audience="requesters",
    )
    try:
        file_request(desk, "it laptop", user="U0ALICE")
        desk.fake.members = [_member("U0ALICE"), _member("U0BOB")]
        _start(desk)
        run_jobs(desk)
        assert [c.params["channel"] for c in _weekly_dms(desk)] == ["U0ALICE"]
    finally:
        server.stop()
        thread.join(timeout=5)
        desk.pulsedesk.finish_work()


def test_answers_reach_the_report_only_from_a_final_week_with_enough_of_them(
    desk: Desk,
) -> None:
    people = [f"U0P{n:02d}" for n in range(6)]
    for user in people:
        file_request(desk, "it laptop", user=user)
    desk.fake.members = [_member(user) for user in people]
    _start(desk)
    run_jobs(desk)
    with desk.session_factory() as session:
        deliveries = {d.user_id: d.id for d in session.scalars(select(WeeklyDelivery))}

    def answer(user: str, score: int) -> None:
        desk.slack.block_action(
            f"weekly_answer_{score}",
            user=user,
            value=f"weekly:{deliveries[user]}:0",
            channel="D" + user[1:],
        )

    def it_pulse() -> tuple[object, object]:
        with desk.session_factory() as session:
            report = reports.build_report(
                session=session, now=results_final_at(WEEK), days=30, anonymity_minimum=5
            )
        [it] = [d for d in report.departments if d.key == "it"]
        return it.weekly.pulse_score, it.weekly.pulse_responses

    for user, score in zip(people[:4], [5, 4, 4, 3], strict=True):
        answer(user, score)
    desk.fake.wait_for(lambda _: _answer_count(desk) == 4)
    assert it_pulse() == (None, 0)

    answer(people[4], 5)
    desk.fake.wait_for(lambda _: _answer_count(desk) == 5)
    assert it_pulse() == (4.2, 5)


def _answer_count(desk: Desk) -> int:
    """Answers recorded, released or still pending."""
    with desk.session_factory() as session:
        released = len(session.scalars(select(WeeklyAnswer)).all())
        return released + len(session.scalars(select(WeeklyPendingAnswer)).all())


def _release_week(desk: Desk) -> None:
    """Move the clock to when the week's answers close, and run what falls due then."""
    final = results_final_at(WEEK)
    if desk.clock.now() < final:
        desk.clock.advance(final - desk.clock.now())
    run_jobs(desk)


def _comment(
    desk: Desk, *, user: str, delivery_id: int, about: str | None, text: str | None
) -> Any:
    payload = {
        "type": "view_submission",
        "team": {"id": "T0TEST", "domain": "test"},
        "user": {"id": user, "username": user.lower(), "team_id": "T0TEST"},
        "api_app_id": "A0PULSE",
        "token": "legacy-verification-token",
        "trigger_id": "trigger-weekly-comment",
        "view": {
            "id": f"V0WC{user}",
            "type": "modal",
            "callback_id": "weekly_comment",
            "private_metadata": json.dumps({"delivery": delivery_id}),
            "state": {
                "values": {
                    "weekly_comment_about": {
                        "weekly_comment_about": {
                            "type": "static_select",
                            "selected_option": {"value": about} if about else None,
                        }
                    },
                    "weekly_comment_text": {
                        "weekly_comment_text": {"type": "plain_text_input", "value": text}
                    },
                }
            },
        },
        "response_urls": [],
    }
    return desk.slack.post_form({"payload": json.dumps(payload)})


def _comments(desk: Desk) -> list[WeeklyComment]:
    with desk.session_factory() as session:
        return list(session.scalars(select(WeeklyComment)))


def _pending_comments(desk: Desk) -> list[WeeklyPendingComment]:
    with desk.session_factory() as session:
        return list(session.scalars(select(WeeklyPendingComment)))


def test_comments_are_anonymous_and_reported_only_with_enough_answers(desk: Desk) -> None:
    people = [f"U0P{n:02d}" for n in range(5)]
    for user in people:
        file_request(desk, "it laptop", user=user)
    desk.fake.members = [_member(user) for user in people]
    _start(desk)
    run_jobs(desk)
    with desk.session_factory() as session:
        deliveries = {d.user_id: d.id for d in session.scalars(select(WeeklyDelivery))}
        it_id = session.scalars(select(Department.id).where(Department.key == "it")).one()
    first = people[0]

    assert "weekly_comment" in action_ids(_weekly_dms(desk, first)[0].params["blocks"])
    desk.slack.block_action("weekly_comment", user=first, value=f"weekly:{deliveries[first]}")
    [opened] = desk.fake.wait_for_call("views.open")
    assert opened.params["view"]["callback_id"] == "weekly_comment"
    assert "IT Help Desk" in json.dumps(opened.params["view"])

    empty = _comment(desk, user=first, delivery_id=deliveries[first], about=str(it_id), text=" ")
    assert empty.json()["response_action"] == "errors"
    assert (
        _comment(
            desk,
            user=first,
            delivery_id=deliveries[first],
            about=str(it_id),
            text="Quick and kind <!channel>",
        ).status
        == 200
    )
    desk.fake.wait_for(lambda _: len(_pending_comments(desk)) == 1)
    [stored] = _pending_comments(desk)
    assert _comments(desk) == []
    assert (stored.week, stored.department_id, stored.text) == (
        WEEK.key,
        it_id,
        "Quick and kind <!channel>",
    )
    assert {c.key for c in inspect(WeeklyComment).columns} == {
        "id",
        "team_id",
        "week",
        "department_id",
        "text",
        # The writer sealed with PULSE_REPLY_KEY, only when they let the team reply.
        "reply_token",
    }
    assert stored.reply_token is None

    def it_comments() -> list[str]:
        with desk.session_factory() as session:
            report = reports.build_report(
                session=session, now=results_final_at(WEEK), days=30, anonymity_minimum=5
            )
        [it] = [d for d in report.departments if d.key == "it"]
        return it.weekly.comments

    for user in people[:4]:
        desk.slack.block_action("weekly_answer_4", user=user, value=f"weekly:{deliveries[user]}:0")
    desk.fake.wait_for(lambda _: _answer_count(desk) == 4)
    assert it_comments() == []
    desk.slack.block_action(
        "weekly_answer_5", user=people[4], value=f"weekly:{deliveries[people[4]]}:0"
    )
    desk.fake.wait_for(lambda _: _answer_count(desk) == 5)
    # Comments wait for the week's answers to close, and the week's results with them.
    assert it_comments() == []
    _release_week(desk)
    assert it_comments() == ["Quick and kind <!channel>"]


def test_a_comment_on_someone_elses_pulse_is_refused(desk: Desk) -> None:
    desk.fake.members = [_member("U0ALICE")]
    _start(desk)
    run_jobs(desk)
    with desk.session_factory() as session:
        delivery = session.scalars(select(WeeklyDelivery)).one()
    _comment(desk, user="U0MALLORY", delivery_id=delivery.id, about="general", text="hi")
    desk.fake.wait_for_call("chat.postMessage", where=lambda c: c.params["channel"] == "U0MALLORY")
    assert _comments(desk) == []
