"""The week's close on a real database: an answer given as the week closes is either released
with the others or refused, never left pending for good."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, cast

import pytest
from slack_sdk import WebClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.calendar import Week
from bot.db import SessionFactory, read_session
from bot.errors import SurveyClosed
from bot.jobs import JobSnapshot, JobState
from bot.slack import SlackGateway
from bot.weekly import store
from bot.weekly.flows.answers import Answers
from bot.weekly.rules import (
    CLOSE_AFTER,
    DeliverySnapshot,
    Question,
    QuestionKind,
    Recipient,
    WeeklyJob,
    results_final_at,
)
from models import WeeklyAnswer, WeeklyDelivery, WeeklyPendingAnswer
from tests.fake_clock import FakeClock

TEAM = "T0PULSE"
WEEK = Week.of(datetime(2026, 11, 2, tzinfo=UTC).date())
CLOSES_AT = results_final_at(WEEK)


class _ReleaseWhileWaiting:
    """Sessions whose next write waits for the database while the week's release runs: what
    a tap checked a moment before the close meets when the release holds the writers lock."""

    def __init__(self, factory: SessionFactory, release: Callable[[], None]) -> None:
        self._factory = factory
        self._release: Callable[[], None] | None = release

    def __call__(self, **kwargs: Any) -> Session:
        return self._factory(**kwargs)

    def begin(self) -> Any:
        if self._release is not None:
            release, self._release = self._release, None
            release()
        return self._factory.begin()


def _delivery(
    session_factory: SessionFactory, now: datetime, user_id: str = "U0ALICE", questions: int = 1
) -> DeliverySnapshot:
    """A person's pulse, due late enough that it closes with the week's answers."""
    with session_factory.begin() as session:
        round_ = store.ensure_round(session=session, team_id=TEAM, week=WEEK, now=now)
        asked = [Question(QuestionKind.PULSE, None, None)] * questions
        recipient = Recipient(user_id=user_id, due_at=CLOSES_AT - CLOSE_AFTER, questions=asked)
        store.add_deliveries(session=session, round_=round_, recipients=[recipient], now=now)
    with read_session(session_factory) as session:
        delivery_id = session.scalars(
            select(WeeklyDelivery.id).where(WeeklyDelivery.user_id == user_id)
        ).one()
        delivery = store.get_delivery(session=session, delivery_id=delivery_id)
    assert delivery.closes_at == CLOSES_AT
    return delivery


def _answers(factory: Any, clock: FakeClock) -> Answers:
    # Recording an answer calls nothing on Slack; a gateway that cannot reach it proves so.
    unreachable = WebClient(token="xoxb-test", base_url="http://127.0.0.1:9/")
    return Answers(
        session_factory=cast(SessionFactory, factory),
        gateway=SlackGateway(unreachable, clock=clock),
        clock=clock,
        anonymity_minimum=3,
    )


def _release_job() -> JobSnapshot:
    return JobSnapshot(
        id=1,
        team_id=TEAM,
        kind=WeeklyJob.RELEASE,
        payload={"week": WEEK.key},
        unique_key=f"{WeeklyJob.RELEASE}:{TEAM}:{WEEK.key}",
        state=JobState.RUNNING,
        due_at=CLOSES_AT,
        attempts=0,
        last_error=None,
    )


def _pending_and_released(session_factory: SessionFactory) -> tuple[int, int]:
    with read_session(session_factory) as session:
        pending = len(session.scalars(select(WeeklyPendingAnswer)).all())
        released = len(session.scalars(select(WeeklyAnswer)).all())
    return pending, released


def test_a_tap_whose_write_waited_past_the_close_is_refused_and_leaves_nothing_pending(
    session_factory: SessionFactory,
) -> None:
    clock = FakeClock(CLOSES_AT - timedelta(seconds=1))
    delivery = _delivery(session_factory, clock.now())
    plain = _answers(session_factory, clock)

    def release() -> None:
        clock.advance(timedelta(seconds=2))
        plain.release_week(_release_job())

    racing = _answers(_ReleaseWhileWaiting(session_factory, release), clock)
    with pytest.raises(SurveyClosed):
        racing.record(team_id=TEAM, user_id="U0ALICE", delivery_id=delivery.id, index=0, score=4)
    assert _pending_and_released(session_factory) == (0, 0)
    with read_session(session_factory) as session:
        assert store.weeks_with_pending(session=session, weeks=[WEEK.key]) == set()
        assert store.get_delivery(session=session, delivery_id=delivery.id).answered == frozenset()


def test_a_tap_written_before_the_close_is_released_with_the_week(
    session_factory: SessionFactory,
) -> None:
    clock = FakeClock(CLOSES_AT - timedelta(seconds=1))
    delivery = _delivery(session_factory, clock.now())
    answers = _answers(session_factory, clock)
    answers.record(team_id=TEAM, user_id="U0ALICE", delivery_id=delivery.id, index=0, score=4)
    assert _pending_and_released(session_factory) == (1, 0)
    clock.advance(timedelta(seconds=1))
    answers.release_week(_release_job())
    assert _pending_and_released(session_factory) == (0, 1)


def test_a_comment_whose_write_waited_past_the_close_is_refused(
    session_factory: SessionFactory,
) -> None:
    clock = FakeClock(CLOSES_AT - timedelta(seconds=1))
    delivery = _delivery(session_factory, clock.now())
    plain = _answers(session_factory, clock)
    plain.record(team_id=TEAM, user_id="U0ALICE", delivery_id=delivery.id, index=0, score=4)

    def release() -> None:
        clock.advance(timedelta(seconds=2))
        plain.release_week(_release_job())

    racing = _answers(_ReleaseWhileWaiting(session_factory, release), clock)
    with pytest.raises(SurveyClosed):
        racing.comment(
            team_id=TEAM, user_id="U0ALICE", delivery_id=delivery.id, department_id=None, text="ok"
        )
    with read_session(session_factory) as session:
        assert store.weeks_with_pending(session=session, weeks=[WEEK.key]) == set()


def test_answers_are_released_once_enough_people_gave_them_not_enough_answers(
    session_factory: SessionFactory,
) -> None:
    clock = FakeClock(CLOSES_AT - timedelta(days=2))
    answers = _answers(session_factory, clock)
    alice = _delivery(session_factory, clock.now(), "U0ALICE", questions=3)
    for index in range(3):
        answers.record(team_id=TEAM, user_id="U0ALICE", delivery_id=alice.id, index=index, score=4)
    # Three answers, all one person's: released now, they would be hers alone.
    assert _pending_and_released(session_factory) == (3, 0)

    bob = _delivery(session_factory, clock.now(), "U0BOB")
    answers.record(team_id=TEAM, user_id="U0BOB", delivery_id=bob.id, index=0, score=2)
    assert _pending_and_released(session_factory) == (4, 0)
    carol = _delivery(session_factory, clock.now(), "U0CAROL")
    answers.record(team_id=TEAM, user_id="U0CAROL", delivery_id=carol.id, index=0, score=5)
    assert _pending_and_released(session_factory) == (0, 5)


def test_a_release_that_finds_fewer_people_once_it_holds_the_rows_moves_nothing(
    session_factory: SessionFactory, clock: FakeClock
) -> None:
    delivery = _delivery(session_factory, clock.now())
    answers = _answers(session_factory, clock)
    answers.record(team_id=TEAM, user_id="U0ALICE", delivery_id=delivery.id, index=0, score=4)
    with session_factory.begin() as session:
        moved = store.release_answers(session=session, team_id=TEAM, week=WEEK, minimum_people=2)
    assert moved == 0
    assert _pending_and_released(session_factory) == (1, 0)
