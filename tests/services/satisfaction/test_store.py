"""Ratings and pulse bookkeeping on a real database: reaction order, and the cooldown a pulse
takes and gives back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.orm import Session

from bot.db import SessionFactory
from bot.people import store as people
from bot.requests import store as service
from bot.requests.rules import RequestAction, Role, Urgency
from bot.satisfaction import store as ratings
from bot.satisfaction.rules import PulseSnapshot, PulseState
from tests.fake_clock import FakeClock
from tests.services.reports.test_store import TEAM, _sync

REQUESTER = "U0ALICE"
COOLDOWN = timedelta(hours=24)
REACTED_AT = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)


def _resolved_pulse(session: Session, now: datetime, key: str = "k1") -> PulseSnapshot:
    filed = service.file_request(
        session=session,
        team_id=TEAM,
        requester_id=REQUESTER,
        department_key="it",
        text="laptop",
        urgency=Urgency.NORMAL,
        idempotency_key=key,
        now=now,
    ).request
    resolved = service.transition_request(
        session=session,
        request=filed,
        actor_id="U0AGENT",
        action=RequestAction.RESOLVE,
        roles=frozenset({Role.AGENT}),
        now=now,
    ).request
    return ratings.schedule_pulse(session=session, request=resolved, delay=timedelta(0), now=now)


@pytest.fixture
def pulse(session_factory: SessionFactory, clock: FakeClock) -> PulseSnapshot:
    _sync(session_factory, ["it"], clock.now())
    with session_factory.begin() as session:
        return _resolved_pulse(session, clock.now())


def _react(
    session: Session, pulse: PulseSnapshot, emoji: str, score: int, added: bool, ts: str
) -> ratings.RatingChange:
    return ratings.apply_reaction(
        session=session,
        pulse=pulse,
        emoji=emoji,
        score=score,
        added=added,
        event_ts=ts,
        now=REACTED_AT,
    )


def test_a_removal_delivered_before_its_add_leaves_no_rating(
    session_factory: SessionFactory,
    pulse: PulseSnapshot,
) -> None:
    with session_factory.begin() as session:
        _react(session, pulse, "+1", 5, added=False, ts="1700000002.000100")
    with session_factory.begin() as session:
        change = _react(session, pulse, "+1", 5, added=True, ts="1700000001.000100")
        assert change.after is None
        rating = ratings.get_rating(session=session, request_id=pulse.request_id)
    assert rating is not None
    assert rating.score is None


def test_newer_reactions_apply_in_order(
    session_factory: SessionFactory,
    pulse: PulseSnapshot,
) -> None:
    with session_factory.begin() as session:
        assert _react(session, pulse, "+1", 5, True, "1700000001.0").after == 5
        assert _react(session, pulse, "rage", 1, True, "1700000002.0").after == 1
        assert _react(session, pulse, "+1", 5, False, "1700000003.0").after == 1
        assert _react(session, pulse, "rage", 1, False, "1700000004.0").after is None


def test_repeating_the_same_rating_keeps_when_it_was_given(
    session_factory: SessionFactory,
    pulse: PulseSnapshot,
    clock: FakeClock,
) -> None:
    with session_factory.begin() as session:
        ratings.set_rating(session=session, pulse=pulse, score=4, now=clock.now())
    first = clock.now()
    clock.advance(timedelta(hours=2))
    with session_factory.begin() as session:
        change = ratings.set_rating(session=session, pulse=pulse, score=4, now=clock.now())
        rating = ratings.get_rating(session=session, request_id=pulse.request_id)
    assert not change.changed
    assert rating is not None
    assert rating.rated_at == first


def test_cancelling_a_sending_pulse_gives_the_cooldown_back(
    session_factory: SessionFactory,
    pulse: PulseSnapshot,
    clock: FakeClock,
) -> None:
    now = clock.now()
    with session_factory.begin() as session:
        assert ratings.set_pulse_state(
            session=session,
            pulse_id=pulse.id,
            state=PulseState.SENDING,
            now=now,
            expected=(PulseState.SCHEDULED,),
        )
        assert people.reserve_satisfaction_pulse(
            session=session, team_id=TEAM, user_id=REQUESTER, now=now, cooldown=COOLDOWN
        )
    with session_factory.begin() as session:
        assert not people.reserve_satisfaction_pulse(
            session=session, team_id=TEAM, user_id=REQUESTER, now=now, cooldown=COOLDOWN
        )
        assert ratings.cancel_unsent_pulses(session=session, request_id=pulse.request_id, now=now)
    with session_factory.begin() as session:
        assert people.reserve_satisfaction_pulse(
            session=session, team_id=TEAM, user_id=REQUESTER, now=now, cooldown=COOLDOWN
        )


def test_a_release_never_frees_a_later_pulses_cooldown(
    session_factory: SessionFactory,
    pulse: PulseSnapshot,
    clock: FakeClock,
) -> None:
    earlier = clock.now() - timedelta(days=3)
    with session_factory.begin() as session:
        assert people.reserve_satisfaction_pulse(
            session=session, team_id=TEAM, user_id=REQUESTER, now=clock.now(), cooldown=COOLDOWN
        )
        people.release_satisfaction_pulse(
            session=session, team_id=TEAM, user_id=REQUESTER, reserved_at=earlier
        )
        known = people.known_person(session=session, team_id=TEAM, user_id=REQUESTER)
    assert known.last_satisfaction_pulse_at == clock.now()
