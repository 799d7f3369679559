"""Weekly answers cannot be tied to people, even by someone reading the database or the log:
answers are released in shuffled batches apart from the answering, tables keep no row order,
no answer is taken once the week is final, and a comment counts once and only with its
answer."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from sqlalchemy import select, text

from bot.calendar import Week
from bot.db import is_sqlite
from bot.logs import configure_logging
from bot.reports import store as reports
from bot.weekly.rules import results_final_at
from models import (
    Department,
    WeeklyAnswer,
    WeeklyComment,
    WeeklyDelivery,
    WeeklyPendingAnswer,
    WeeklyPendingComment,
)
from tests.e2e.conftest import TEAM_ID, Desk
from tests.e2e.helpers import file_request, run_jobs, text_of
from tests.e2e.test_weekly_round import _comment, _member

PEOPLE = [f"U0P{n:02d}" for n in range(6)]
SCORES = [5, 1, 4, 2, 3, 4]


def _week(desk: Desk) -> Week:
    return Week.of(desk.clock.now().date())


def _round(desk: Desk, people: list[str] = PEOPLE) -> dict[str, int]:
    for user in people:
        file_request(desk, "it laptop", user=user)
    desk.fake.members = [_member(user) for user in people]
    desk.pulsedesk.services.rounds.start_round(team_id=TEAM_ID, week=_week(desk), send_now=True)
    run_jobs(desk)
    with desk.session_factory() as session:
        return {d.user_id: d.id for d in session.scalars(select(WeeklyDelivery))}


def _answer(desk: Desk, deliveries: dict[str, int], user: str, score: int) -> None:
    before = len(desk.fake.calls_to("chat.update"))
    desk.slack.block_action(
        f"weekly_answer_{score}",
        user=user,
        value=f"weekly:{deliveries[user]}:0",
        channel="D" + user[1:],
    )
    desk.fake.wait_for_call("chat.update", count=before + 1)


def _finish_week(desk: Desk) -> None:
    final = results_final_at(_week(desk))
    desk.clock.advance(final - desk.clock.now())
    run_jobs(desk)


def _answers(desk: Desk) -> list[tuple[str, int]]:
    with desk.session_factory() as session:
        return sorted((a.kind, a.score) for a in session.scalars(select(WeeklyAnswer)))


def test_transaction_ids_and_row_order_tie_no_answer_to_a_delivery(
    desk: Desk, database_url: str
) -> None:
    deliveries = _round(desk)
    for user, score in zip(PEOPLE, SCORES, strict=True):
        _answer(desk, deliveries, user, score)
    _finish_week(desk)

    assert _answers(desk) == sorted(("pulse", s) for s in SCORES)
    with desk.session_factory() as session:
        assert session.scalars(select(WeeklyPendingAnswer)).all() == []
        if is_sqlite(database_url):
            # No rowid to order by, and rows are stored in the order of their random ids.
            with pytest.raises(Exception, match="rowid"):
                session.execute(text("SELECT rowid FROM weekly_answers"))
            session.rollback()
            stored = list(session.execute(text("SELECT id FROM weekly_answers")).scalars())
            assert stored == sorted(stored)
        else:
            linked = session.execute(
                text(
                    "SELECT count(*) FROM weekly_answers a "
                    "JOIN weekly_deliveries d ON a.xmin = d.xmin"
                )
            ).scalar_one()
            assert linked == 0
            # Answers share the transaction of their release, never one of their own.
            batches = session.execute(
                text("SELECT count(DISTINCT xmin::text) FROM weekly_answers")
            ).scalar_one()
            assert batches <= 2


def test_an_answer_is_released_only_among_enough_others(desk: Desk) -> None:
    deliveries = _round(desk)
    for user, score in zip(PEOPLE[:4], SCORES[:4], strict=True):
        _answer(desk, deliveries, user, score)
    assert _answers(desk) == []

    _answer(desk, deliveries, PEOPLE[4], SCORES[4])
    assert len(_answers(desk)) == 5


def test_the_debug_log_of_a_round_names_no_answerer(
    desk: Desk, caplog: pytest.LogCaptureFixture
) -> None:
    deliveries = _round(desk)
    with caplog.at_level(logging.DEBUG):
        for user, score in zip(PEOPLE, SCORES, strict=True):
            _answer(desk, deliveries, user, score)
        _finish_week(desk)
    ours = [r for r in caplog.records if r.name.startswith(("bot", "handlers"))]
    assert ours
    for record in ours:
        line = record.getMessage() + " " + " ".join(f"{k}={v}" for k, v in vars(record).items())
        assert not any(user in line or "D" + user[1:] in line for user in PEOPLE), line


def test_the_slack_libraries_never_log_payloads_even_at_debug() -> None:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    try:
        configure_logging(logging.DEBUG)
        assert logging.getLogger("bot").getEffectiveLevel() == logging.DEBUG
        for library in ("slack_sdk", "slack_sdk.web.base_client", "slack_bolt.App"):
            assert logging.getLogger(library).getEffectiveLevel() >= logging.INFO
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
        for library in ("slack_sdk", "slack_bolt", "apscheduler"):
            logging.getLogger(library).setLevel(logging.NOTSET)


def test_no_answer_is_taken_once_the_week_is_final_however_late_its_round(desk: Desk) -> None:
    week = _week(desk)
    # The runner was down: the round starts a day before the week's answers close.
    desk.clock.advance(results_final_at(week) - timedelta(days=1) - desk.clock.now())
    deliveries = _round(desk)
    for user, score in zip(PEOPLE[:5], SCORES[:5], strict=True):
        _answer(desk, deliveries, user, score)
    _finish_week(desk)

    def it_pulse() -> tuple[object, object]:
        with desk.session_factory() as session:
            report = reports.build_report(
                session=session, now=desk.clock.now(), days=30, anonymity_minimum=5
            )
        [it] = [d for d in report.departments if d.key == "it"]
        return it.weekly.pulse_score, it.weekly.pulse_responses

    shown = it_pulse()
    assert shown == (3.0, 5)

    replies = len(desk.fake.calls_to("response_url"))
    desk.slack.block_action(
        "weekly_answer_1", user=PEOPLE[5], value=f"weekly:{deliveries[PEOPLE[5]]}:0"
    )
    [reply] = desk.fake.wait_for_call("response_url", count=replies + 1)[replies:]
    assert "closed" in text_of(reply)
    desk.clock.advance(timedelta(days=1))
    run_jobs(desk)
    assert it_pulse() == shown


def test_a_second_comment_replaces_the_first_and_counts_only_with_an_answer(desk: Desk) -> None:
    deliveries = _round(desk)
    with desk.session_factory() as session:
        it_id = session.scalars(select(Department.id).where(Department.key == "it")).one()
    writer, silent = PEOPLE[0], PEOPLE[1]

    def pending() -> list[str]:
        with desk.session_factory() as session:
            return sorted(c.text for c in session.scalars(select(WeeklyPendingComment)))

    for n in range(3):
        _comment(desk, user=writer, delivery_id=deliveries[writer], about=str(it_id), text=f"v{n}")
        desk.fake.wait_for(lambda _, n=n: pending() == [f"v{n}"])
    _comment(desk, user=silent, delivery_id=deliveries[silent], about=str(it_id), text="no answer")
    _comment(desk, user=silent, delivery_id=deliveries[silent], about="general", text="general")
    desk.fake.wait_for(lambda _: pending() == ["general", "no answer", "v2"])
    for user, score in zip([writer, *PEOPLE[2:]], [5, 4, 4, 3, 4], strict=True):
        _answer(desk, deliveries, user, score)
    _finish_week(desk)

    with desk.session_factory() as session:
        comments = sorted(c.text for c in session.scalars(select(WeeklyComment)))
    assert comments == ["v2"]
