"""Kudos storage on a real database (SQLite, or TEST_DATABASE_URL): shout-outs and their
kudos, kudos by reaction, the giver's daily count, and the counts the digest and report use."""

from __future__ import annotations

import itertools
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.calendar import local_day
from bot.db import SessionFactory
from bot.departments import DepartmentConfig
from bot.kudos import store as kudos
from bot.kudos.rules import (
    DEFAULT_DAILY_LIMIT,
    GivenKudos,
    KudosSource,
    ReactionChange,
    ReactionKudos,
    ShoutoutSnapshot,
    Tally,
)
from bot.people import store as people
from bot.requests import store as service
from bot.requests.departments import store as department_store
from bot.requests.rules import RequestAction, RequestSnapshot, Role, Urgency
from models import Department, Kudos, Shoutout
from tests.fake_clock import FakeClock

TEAM = "T0KUDOS"
OTHER_TEAM = "T0OTHER"
GIVER = "U0GIVER"
REQUESTER = "U0REQUESTER"
AGENT = "U0AGENT"
CHANNEL = "C0GENERAL01"
KUDOS_CHANNEL = "C0KUDOS001"
AGENTS = frozenset({Role.AGENT})
REQUESTERS = frozenset({Role.REQUESTER})
SECOND = timedelta(seconds=1)
MICRO = timedelta(microseconds=1)
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)

_keys = itertools.count(1)


# --- helpers ------------------------------------------------------------------------------------


def _give(
    session: Session,
    recipients: list[str],
    at: datetime,
    *,
    giver: str = GIVER,
    team: str = TEAM,
    value: str | None = None,
    source: KudosSource = KudosSource.COMMAND,
    key: str | None = None,
    request_id: int | None = None,
    department_id: int | None = None,
) -> ShoutoutSnapshot:
    return kudos.record_shoutout(
        session=session,
        team_id=team,
        giver_id=giver,
        source=source,
        recipients=recipients,
        message="thanks " + " ".join(f"<@{r}>" for r in recipients),
        value=value,
        idempotency_key=key or f"key-{next(_keys)}",
        now=at,
        request_id=request_id,
        department_id=department_id,
    )


def _react(
    session: Session,
    *,
    added: bool,
    event_ts: str | None,
    at: datetime,
    giver: str = GIVER,
    recipient: str = "U0AUTHOR",
    ts: str = "1700000000.000100",
    channel: str = CHANNEL,
    team: str = TEAM,
) -> ReactionChange:
    return kudos.apply_reaction(
        session=session,
        team_id=team,
        giver_id=giver,
        recipient_id=recipient,
        channel_id=channel,
        ts=ts,
        added=added,
        event_ts=event_ts,
        now=at,
    )


def _counts(session: Session, *, ts: str = "1700000000.000100", giver: str = GIVER) -> bool:
    return kudos.reaction_counts(
        session=session, team_id=TEAM, giver_id=giver, channel_id=CHANNEL, ts=ts
    )


def _withdrawn_reaction(session: Session, at: datetime, *, giver: str, recipient: str) -> None:
    """A reaction kudos given and then taken back, on a message of its own."""
    ts = f"1700000{next(_keys):03d}.000100"
    for added, event_ts, change in (
        (True, "1.0", ReactionChange.GIVEN),
        (False, "2.0", ReactionChange.WITHDRAWN),
    ):
        got = _react(
            session, added=added, event_ts=event_ts, at=at, giver=giver, recipient=recipient, ts=ts
        )
        assert got is change


def _sync(
    session_factory: SessionFactory,
    agents: dict[str, list[str]],
    now: datetime,
    *,
    team: str = TEAM,
) -> dict[str, int]:
    """Departments keyed like `agents`, each listing those agents; their ids by key."""
    configs = [
        DepartmentConfig(key=key, name=key.upper(), channel=f"C0{key.upper():0<8}", agents=listed)
        for key, listed in agents.items()
    ]
    with session_factory.begin() as session:
        department_store.sync_departments(session=session, team_id=team, configs=configs, now=now)
        rows = session.execute(
            select(Department.key, Department.id).where(Department.team_id == team)
        ).all()
    return {key: id_ for key, id_ in rows}


def _file(session: Session, department: str, at: datetime, *, team: str = TEAM) -> RequestSnapshot:
    return service.file_request(
        session=session,
        team_id=team,
        requester_id=REQUESTER,
        department_key=department,
        text="laptop",
        urgency=Urgency.NORMAL,
        idempotency_key=f"request-{next(_keys)}",
        now=at,
    ).request


def _act(
    session: Session, request: RequestSnapshot, action: RequestAction, at: datetime
) -> RequestSnapshot:
    roles = REQUESTERS if action in (RequestAction.CANCEL, RequestAction.REOPEN) else AGENTS
    return service.transition_request(
        session=session,
        request=request,
        actor_id=REQUESTER if roles is REQUESTERS else AGENT,
        action=action,
        roles=roles,
        now=at,
    ).request


def _resolved(
    session: Session, department: str, at: datetime, *, team: str = TEAM
) -> RequestSnapshot:
    return _act(
        session, _file(session, department, at - HOUR, team=team), RequestAction.RESOLVE, at
    )


def _count(session_factory: SessionFactory, model: type[Kudos] | type[Shoutout]) -> int:
    with session_factory() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def _reaction_id(session: Session, ts: str, giver: str = GIVER) -> int:
    kudos_id = session.scalar(
        select(Kudos.id).where(Kudos.reaction_ts == ts, Kudos.giver_id == giver)
    )
    assert kudos_id is not None
    return kudos_id


# --- record_shoutout ----------------------------------------------------------------------------


def test_a_shoutout_gives_one_kudos_per_recipient(
    session_factory: SessionFactory, clock: FakeClock
) -> None:
    now = clock.now()
    with session_factory.begin() as session:
        shoutout = _give(session, ["U0ANN", "U0BOB"], now, value="teamwork", key="trigger-1")

    assert shoutout == ShoutoutSnapshot(
        id=shoutout.id,
        team_id=TEAM,
        giver_id=GIVER,
        source=KudosSource.COMMAND,
        message="thanks <@U0ANN> <@U0BOB>",
        value="teamwork",
        request_id=None,
        recipients=("U0ANN", "U0BOB"),
        unnotified=("U0ANN", "U0BOB"),
        post_claimed_at=None,
        channel_id=None,
        ts=None,
        permalink=None,
    )
    assert not shoutout.posted
    with session_factory() as session:
        rows = session.execute(
            select(
                Kudos.team_id,
                Kudos.giver_id,
                Kudos.recipient_id,
                Kudos.source,
                Kudos.given_at,
                Kudos.shoutout_id,
                Kudos.department_id,
                Kudos.withdrawn_at,
            ).order_by(Kudos.id)
        ).all()
        stored = session.get(Shoutout, shoutout.id)
        assert stored is not None
        assert stored.created_at == now
        assert stored.idempotency_key == "trigger-1"
    assert [tuple(row) for row in rows] == [
        (TEAM, GIVER, "U0ANN", "command", now, shoutout.id, None, None),
        (TEAM, GIVER, "U0BOB", "command", now, shoutout.id, None, None),
    ]
    assert _count(session_factory, Shoutout) == 1


def test_the_same_idempotency_key_returns_the_first_shoutout(
    session_factory: SessionFactory, clock: FakeClock
) -> None:
    now = clock.now()
    with session_factory.begin() as session:
        first = _give(session, ["U0ANN", "U0BOB"], now, value="teamwork", key="trigger-1")
    with session_factory.begin() as session:
        again = _give(session, ["U0CAT"], now + HOUR, value=None, key="trigger-1")
        assert kudos.shoutout_for_key(session=session, idempotency_key="trigger-1") == first

    assert again == first
    assert _count(session_factory, Shoutout) == 1
    assert _count(session_factory, Kudos) == 2
    with session_factory() as session:
        assert kudos.shoutout_for_key(session=session, idempotency_key="unknown") is None


def test_a_repeated_key_in_one_transaction_keeps_the_rest_of_it(
    session_factory: SessionFactory, clock: FakeClock
) -> None:
    now = clock.now()
    with session_factory.begin() as session:
        first = _give(session, ["U0ANN"], now, key="trigger-1")
        again = _give(session, ["U0BOB", "U0CAT"], now, key="trigger-1")
        other = _give(session, ["U0DAN"], now, key="trigger-2")

    assert again == first
    assert other.id != first.id
    with session_factory() as session:
        recipients = session.scalars(select(Kudos.recipient_id).order_by(Kudos.id)).all()
    assert recipients == ["U0ANN", "U0DAN"]
    assert _count(session_factory, Shoutout) == 2


def test_a_shoutout_for_a_request_stores_the_request_and_its_department(
    session_factory: SessionFactory, clock: FakeClock
) -> None:
    now = clock.now()
    departments = _sync(session_factory, {"it": [], "hr": []}, now)
    with session_factory.begin() as session:
        request = _resolved(session, "it", now)
        shoutout = _give(
            session,
            [AGENT],
            now,
            giver=REQUESTER,
            source=KudosSource.REQUEST,
            request_id=request.id,
            department_id=departments["it"],
        )

    assert shoutout.request_id == request.id
    assert shoutout.source is KudosSource.REQUEST
    with session_factory() as session:
        row = session.execute(select(Kudos.department_id, Kudos.source, Kudos.recipient_id)).one()
        stored = session.get(Shoutout, shoutout.id)
        assert stored is not None
        assert stored.request_id == request.id
    assert tuple(row) == (departments["it"], "request", AGENT)


def test_get_shoutout_of_an_unknown_id_raises(session_factory: SessionFactory) -> None:
    with session_factory() as session, pytest.raises(LookupError, match="shout-out 999"):
        kudos.get_shoutout(session=session, shoutout_id=999)


# --- given_between ------------------------------------------------------------------------------


def test_given_between_counts_the_givers_kudos_in_a_half_open_window(
    session_factory: SessionFactory, clock: FakeClock
) -> None:
    start = clock.now()
    end = start + DAY
    with session_factory.begin() as session:
        _give(session, ["U0ANN"], start - MICRO)  # just before: out
        _give(session, ["U0ANN", "U0BOB"], start)  # at the start: in, two kudos
        _react(session, added=True, event_ts="1.0", at=start + HOUR)  # a reaction: in
        _give(session, ["U0CAT"], end - MICRO)  # just before the end: in
        _give(session, ["U0DAN"], end)  # at the end: out
        _withdrawn_reaction(session, start + 2 * HOUR, giver=GIVER, recipient="U0EVE")
        _give(session, ["U0ANN"], start + HOUR, giver="U0SOMEONE")  # another giver
        _give(session, ["U0ANN"], start + HOUR, team=OTHER_TEAM)  # same giver, other team

    with session_factory() as session:
        assert (
            kudos.given_between(session=session, team_id=TEAM, giver_id=GIVER, start=start, end=end)
            == 4
        )
        assert (
            kudos.given_between(
                session=session, team_id=OTHER_TEAM, giver_id=GIVER, start=start, end=end
            )
            == 1
        )
        assert (
            kudos.given_between(
                session=session, team_id=TEAM, giver_id="U0NOBODY", start=start, end=end
            )
            == 0
        )


# --- recent_given -------------------------------------------------------------------------------


def test_recent_given_lists_the_newest_first_without_withdrawn_ones(
    session_factory: SessionFactory, clock: FakeClock
) -> None:
    t = clock.now()
    with session_factory.begin() as session:
        # Written out of time order, so the order cannot come from the ids alone.
        _give(session, ["U0BOB", "U0CAT"], t + 2 * HOUR)
        _give(session, ["U0ANN"], t + HOUR, value="kindness")
        _react(session, added=True, event_ts="1.0", at=t + 3 * HOUR, recipient="U0DAN")
        _withdrawn_reaction(session, t + 4 * HOUR, giver=GIVER, recipient="U0EVE")
        _give(session, ["U0FAY"], t + 5 * HOUR, giver="U0SOMEONE")
        _give(session, ["U0GUS"], t + 5 * HOUR, team=OTHER_TEAM)

    with session_factory() as session:
        everything = kudos.recent_given(session=session, team_id=TEAM, giver_id=GIVER, limit=10)
        two = kudos.recent_given(session=session, team_id=TEAM, giver_id=GIVER, limit=2)

    assert everything == [
        GivenKudos("U0DAN", t + 3 * HOUR, KudosSource.REACTION, None),
        GivenKudos("U0CAT", t + 2 * HOUR, KudosSource.COMMAND, None),
        GivenKudos("U0BOB", t + 2 * HOUR, KudosSource.COMMAND, None),
        GivenKudos("U0ANN", t + HOUR, KudosSource.COMMAND, "kindness"),
    ]
    assert two == everything[:2]


# --- posting a shout-out ------------------------------------------------------------------------


def _claim(
    session_factory: SessionFactory, shoutout_id: int, now: datetime, abandoned_before: datetime
) -> bool:
    with session_factory.begin() as session:
        return kudos.claim_post(
            session=session, shoutout_id=shoutout_id, now=now, abandoned_before=abandoned_before
        )


def _snapshot(session_factory: SessionFactory, shoutout_id: int) -> ShoutoutSnapshot:
    with session_factory() as session:
        return kudos.get_shoutout(session=session, shoutout_id=shoutout_id)


@pytest.fixture
def shoutout(session_factory: SessionFactory, clock: FakeClock) -> ShoutoutSnapshot:
    with session_factory.begin() as session:
        return _give(session, ["U0ANN", "U0BOB", "U0CAT"], clock.now())


def test_a_shoutout_is_claimed_by_one_runner_until_the_claim_is_abandoned(
    session_factory: SessionFactory, shoutout: ShoutoutSnapshot, clock: FakeClock
) -> None:
    t = clock.now()
    delay = timedelta(minutes=2)
    assert _claim(session_factory, shoutout.id, t, t - delay)
    assert _snapshot(session_factory, shoutout.id).post_claimed_at == t
    # Still held a minute later, and a moment before it turns stale.
    soon = t + timedelta(minutes=1)
    assert not _claim(session_factory, shoutout.id, soon, soon - delay)
    assert not _claim(session_factory, shoutout.id, t + delay - MICRO, t - MICRO)
    assert _snapshot(session_factory, shoutout.id).post_claimed_at == t
    # As old as `abandoned_before`: taken over, and the claim is the new runner's.
    later = t + delay
    assert _claim(session_factory, shoutout.id, later, later - delay)
    assert _snapshot(session_factory, shoutout.id).post_claimed_at == later
    assert not _claim(session_factory, shoutout.id, later, later - delay)


def test_a_posted_shoutout_cannot_be_claimed(
    session_factory: SessionFactory, shoutout: ShoutoutSnapshot, clock: FakeClock
) -> None:
    t = clock.now()
    assert _claim(session_factory, shoutout.id, t, t - HOUR)
    with session_factory.begin() as session:
        kudos.record_post(
            session=session,
            shoutout_id=shoutout.id,
            channel_id=KUDOS_CHANNEL,
            ts="1700000000.000200",
            permalink="https://example.slack.com/archives/C0KUDOS001/p1700000000000200",
            now=t + SECOND,
        )
    # Even with every claim counted as abandoned.
    assert not _claim(session_factory, shoutout.id, t + DAY, t + DAY)

    posted = _snapshot(session_factory, shoutout.id)
    assert posted.posted
    assert (posted.channel_id, posted.ts, posted.permalink, posted.post_claimed_at) == (
        KUDOS_CHANNEL,
        "1700000000.000200",
        "https://example.slack.com/archives/C0KUDOS001/p1700000000000200",
        t,
    )
    with session_factory() as session:
        stored = session.get(Shoutout, shoutout.id)
        assert stored is not None
        assert stored.posted_at == t + SECOND


def test_a_shoutout_posted_without_a_claim_cannot_be_claimed(
    session_factory: SessionFactory, shoutout: ShoutoutSnapshot, clock: FakeClock
) -> None:
    t = clock.now()
    with session_factory.begin() as session:
        kudos.record_post(
            session=session,
            shoutout_id=shoutout.id,
            channel_id=KUDOS_CHANNEL,
            ts="1700000000.000200",
            permalink=None,
            now=t,
        )
    assert not _claim(session_factory, shoutout.id, t, t - HOUR)
    assert _snapshot(session_factory, shoutout.id).post_claimed_at is None


def test_an_unknown_shoutout_cannot_be_claimed(
    session_factory: SessionFactory, clock: FakeClock
) -> None:
    assert not _claim(session_factory, 999, clock.now(), clock.now())


def test_concurrent_claims_let_exactly_one_runner_post(
    session_factory: SessionFactory, shoutout: ShoutoutSnapshot, clock: FakeClock
) -> None:
    runners = 8
    now = clock.now()
    start = threading.Barrier(runners, timeout=30)

    def claim() -> bool:
        start.wait()
        return _claim(session_factory, shoutout.id, now, now - HOUR)

    with ThreadPoolExecutor(max_workers=runners) as pool:
        futures = [pool.submit(claim) for _ in range(runners)]
        claimed = [future.result(timeout=60) for future in futures]

    assert claimed.count(True) == 1
    assert _snapshot(session_factory, shoutout.id).post_claimed_at == now


# --- notifying recipients -----------------------------------------------------------------------


def test_mark_notified_leaves_the_other_recipients_and_shoutouts_unnotified(
    session_factory: SessionFactory, shoutout: ShoutoutSnapshot, clock: FakeClock
) -> None:
    t = clock.now()
    with session_factory.begin() as session:
        other = _give(session, ["U0BOB"], t)
        kudos.mark_notified(session=session, shoutout_id=shoutout.id, recipient_id="U0BOB", now=t)

    told = _snapshot(session_factory, shoutout.id)
    assert told.recipients == ("U0ANN", "U0BOB", "U0CAT")
    assert told.unnotified == ("U0ANN", "U0CAT")
    assert _snapshot(session_factory, other.id).unnotified == ("U0BOB",)

    with session_factory.begin() as session:
        for recipient in ("U0ANN", "U0CAT"):
            kudos.mark_notified(
                session=session, shoutout_id=shoutout.id, recipient_id=recipient, now=t + HOUR
            )
    assert _snapshot(session_factory, shoutout.id).unnotified == ()
    with session_factory() as session:
        notified = session.execute(
            select(Kudos.recipient_id, Kudos.notified_at)
            .where(Kudos.shoutout_id == shoutout.id)
            .order_by(Kudos.id)
        ).all()
    assert [tuple(row) for row in notified] == [
        ("U0ANN", t + HOUR),
        ("U0BOB", t),
        ("U0CAT", t + HOUR),
    ]


# --- kudos by reaction --------------------------------------------------------------------------


def _react_in(
    session_factory: SessionFactory, *, added: bool, event_ts: str | None, at: datetime
) -> tuple[ReactionChange, bool]:
    """Apply one delivery in its own transaction; the change and whether the kudos counts."""
    with session_factory.begin() as session:
        change = _react(session, added=added, event_ts=event_ts, at=at)
    with session_factory() as session:
        return change, _counts(session)


def test_reactions_give_withdraw_and_give_again_in_event_order(
    session_factory: SessionFactory, clock: FakeClock
) -> None:
    t = clock.now()
    with session_factory() as session:
        assert not _counts(session)
    steps = [
        (True, "1700000001.000100", t, (ReactionChange.GIVEN, True)),
        # The same delivery again, and a second add: nothing changes.
        (True, "1700000001.000100", t + SECOND, (ReactionChange.UNCHANGED, True)),
        (True, "1700000001.500000", t + SECOND, (ReactionChange.UNCHANGED, True)),
        (False, "1700000002.000100", t + 2 * SECOND, (ReactionChange.WITHDRAWN, False)),
        (False, "1700000002.000100", t + 2 * SECOND, (ReactionChange.UNCHANGED, False)),
        (True, "1700000003.000100", t + HOUR, (ReactionChange.GIVEN, True)),
        # A removal older than the re-add, delivered late: ignored.
        (False, "1700000002.500000", t + 2 * HOUR, (ReactionChange.UNCHANGED, True)),
    ]
    for added, event_ts, at, expected in steps:
        assert _react_in(session_factory, added=added, event_ts=event_ts, at=at) == expected, (
            added,
            event_ts,
        )

    with session_factory() as session:
        row = session.execute(
            select(
                Kudos.recipient_id,
                Kudos.source,
                Kudos.given_at,
                Kudos.withdrawn_at,
                Kudos.reaction_event_ts,
                Kudos.shoutout_id,
            )
        ).one()
        # The re-add counts from when it was given again.
        assert (
            kudos.given_between(
                session=session, team_id=TEAM, giver_id=GIVER, start=t + HOUR, end=t + DAY
            )
            == 1
        )
    assert tuple(row) == ("U0AUTHOR", "reaction", t + HOUR, None, "1700000003.000100", None)


def test_an_older_add_after_a_removal_changes_nothing(
    session_factory: SessionFactory, clock: FakeClock
) -> None:
    t = clock.now()
    assert _react_in(session_factory, added=True, event_ts="5.0", at=t) == (
        ReactionChange.GIVEN,
        True,
    )
    assert _react_in(session_factory, added=False, event_ts="7.0", at=t) == (
        ReactionChange.WITHDRAWN,
        False,
    )
    assert _react_in(session_factory, added=True, event_ts="6.0", at=t) == (
        ReactionChange.UNCHANGED,
        False,
    )


def test_a_removal_delivered_before_its_add_leaves_the_kudos_withdrawn(
    session_factory: SessionFactory, clock: FakeClock
) -> None:
    t = clock.now()
    assert _react_in(session_factory, added=False, event_ts="1700000002.000100", at=t) == (
        ReactionChange.UNCHANGED,
        False,
    )
    assert _react_in(session_factory, added=True, event_ts="1700000001.000100", at=t) == (
        ReactionChange.UNCHANGED,
        False,
    )
    with session_factory() as session:
        assert session.scalar(select(func.count(Kudos.id)).where(Kudos.withdrawn_at.is_(None))) == 0
        assert (
            kudos.given_between(
                session=session, team_id=TEAM, giver_id=GIVER, start=t - DAY, end=t + DAY
            )
            == 0
        )
    assert _count(session_factory, Kudos) == 1


def test_reactions_without_event_ts_still_give_and_withdraw(
    session_factory: SessionFactory, clock: FakeClock
) -> None:
    t = clock.now()
    assert _react_in(session_factory, added=True, event_ts=None, at=t) == (
        ReactionChange.GIVEN,
        True,
    )
    assert _react_in(session_factory, added=True, event_ts=None, at=t) == (
        ReactionChange.UNCHANGED,
        True,
    )
    assert _react_in(session_factory, added=False, event_ts=None, at=t) == (
        ReactionChange.WITHDRAWN,
        False,
    )


def test_each_giver_and_message_is_its_own_reaction_kudos(
    session_factory: SessionFactory, clock: FakeClock
) -> None:
    t = clock.now()
    with session_factory.begin() as session:
        assert _react(session, added=True, event_ts="1.0", at=t) is ReactionChange.GIVEN
        assert _react(session, added=True, event_ts="1.0", at=t, giver="U0OTHER") is (
            ReactionChange.GIVEN
        )
        assert _react(session, added=True, event_ts="1.0", at=t, ts="1700000009.000100") is (
            ReactionChange.GIVEN
        )
        assert _react(session, added=False, event_ts="2.0", at=t, giver="U0OTHER") is (
            ReactionChange.WITHDRAWN
        )
    with session_factory() as session:
        assert _counts(session)
        assert not _counts(session, giver="U0OTHER")
        assert _counts(session, ts="1700000009.000100")
        assert not _counts(session, ts="1700000404.000100")
    assert _count(session_factory, Kudos) == 3


def test_the_same_reaction_delivered_twice_at_once_gives_one_kudos(
    session_factory: SessionFactory, clock: FakeClock
) -> None:
    workers = 8
    now = clock.now()
    start = threading.Barrier(workers, timeout=30)

    def deliver() -> ReactionChange:
        start.wait()
        with session_factory.begin() as session:
            return _react(session, added=True, event_ts="1700000001.000100", at=now)

    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(deliver) for _ in range(workers)]
        changes = [future.result(timeout=60) for future in futures]

    assert changes.count(ReactionChange.GIVEN) == 1
    assert changes.count(ReactionChange.UNCHANGED) == workers - 1
    assert _count(session_factory, Kudos) == 1


# --- announcing reaction kudos ------------------------------------------------------------------


def test_unannounced_reactions_are_the_counted_reaction_kudos_up_to_until(
    session_factory: SessionFactory, clock: FakeClock
) -> None:
    t = clock.now()
    until = t + HOUR
    with session_factory.begin() as session:
        # Out of time order on purpose.
        _react(session, added=True, event_ts="1.0", at=until, giver="U0B", ts="1700000002.0")
        _react(session, added=True, event_ts="1.0", at=t, giver="U0A", ts="1700000001.0")
        _react(session, added=True, event_ts="1.0", at=until + MICRO, giver="U0C", ts="1.0")
        _withdrawn_reaction(session, t, giver="U0D", recipient="U0AUTHOR")
        _react(session, added=True, event_ts="1.0", at=t, team=OTHER_TEAM, ts="1700000003.0")
        _give(session, ["U0AUTHOR"], t)  # a shout-out's kudos is announced by its post
        first = _reaction_id(session, "1700000001.0", "U0A")
        second = _reaction_id(session, "1700000002.0", "U0B")

    with session_factory() as session:
        pending = kudos.unannounced_reactions(session=session, team_id=TEAM, until=until)
    assert pending == [
        ReactionKudos(first, "U0A", "U0AUTHOR", CHANNEL, "1700000001.0"),
        ReactionKudos(second, "U0B", "U0AUTHOR", CHANNEL, "1700000002.0"),
    ]

    with session_factory.begin() as session:
        kudos.mark_announced(session=session, kudos_ids=[first], now=until)
        kudos.mark_announced(session=session, kudos_ids=[], now=until)
    with session_factory() as session:
        assert kudos.unannounced_reactions(session=session, team_id=TEAM, until=until) == [
            ReactionKudos(second, "U0B", "U0AUTHOR", CHANNEL, "1700000002.0")
        ]
        assert session.scalar(select(Kudos.announced_at).where(Kudos.id == first)) == until
        announced = select(func.count(Kudos.id)).where(Kudos.announced_at.is_not(None))
        assert session.scalar(announced) == 1
        assert [
            k.giver_id
            for k in kudos.unannounced_reactions(session=session, team_id=OTHER_TEAM, until=until)
        ] == [GIVER]


# --- tally --------------------------------------------------------------------------------------


def test_tally_counts_the_window_most_first_ties_in_first_given_order(
    session_factory: SessionFactory, clock: FakeClock
) -> None:
    since = clock.now()
    until = since + 7 * DAY
    with session_factory.begin() as session:
        # Written out of time order, so ties cannot be broken by id.
        _give(session, ["U0BOB"], since + 3 * HOUR, giver="U0AMY")
        _react(
            session,
            added=True,
            event_ts="1.0",
            at=since + 2 * HOUR,
            giver="U0KIM",
            recipient="U0CAT",
        )
        _give(session, ["U0CAT"], since + HOUR, giver="U0AMY")
        _give(session, ["U0ANN", "U0BOB"], since, giver="U0ZED")
        _withdrawn_reaction(session, since + 4 * HOUR, giver="U0ZED", recipient="U0DAN")
        _give(session, ["U0DAN"], since - MICRO, giver="U0OLD")
        _give(session, ["U0ANN"], until, giver="U0OLD")
        _give(session, ["U0ANN"], since + HOUR, giver="U0AMY", team=OTHER_TEAM)

    with session_factory() as session:
        team = kudos.tally(session=session, since=since, until=until, team_id=TEAM)
        everyone = kudos.tally(session=session, since=since, until=until)
        later = kudos.tally(session=session, since=since + HOUR, until=until, team_id=TEAM)
        next_week = kudos.tally(session=session, since=until, until=until + DAY, team_id=TEAM)

    assert team == Tally(
        receivers=[("U0BOB", 2), ("U0CAT", 2), ("U0ANN", 1)],
        givers=[("U0ZED", 2), ("U0AMY", 2), ("U0KIM", 1)],
        shoutouts=3,
        kudos=5,
    )
    assert everyone == Tally(
        receivers=[("U0ANN", 2), ("U0BOB", 2), ("U0CAT", 2)],
        givers=[("U0AMY", 3), ("U0ZED", 2), ("U0KIM", 1)],
        shoutouts=4,
        kudos=6,
    )
    assert later == Tally(
        receivers=[("U0CAT", 2), ("U0BOB", 1)],
        givers=[("U0AMY", 2), ("U0KIM", 1)],
        shoutouts=2,
        kudos=3,
    )
    assert next_week == Tally(receivers=[("U0ANN", 1)], givers=[("U0OLD", 1)], shoutouts=1, kudos=1)
    with session_factory() as session:
        assert kudos.tally(
            session=session, since=since - DAY, until=since - HOUR, team_id=TEAM
        ) == Tally(receivers=[], givers=[], shoutouts=0, kudos=0)


# --- kudos per department -----------------------------------------------------------------------


def test_department_kudos_credits_requests_and_listed_agents_once_each(
    session_factory: SessionFactory, clock: FakeClock
) -> None:
    since = clock.now()
    until = since + 7 * DAY
    ids = _sync(
        session_factory,
        {"it": ["U0AGIT", "U0AGBOTH"], "hr": ["U0AGHR", "U0AGBOTH"], "fac": []},
        since - DAY,
    )
    other = _sync(session_factory, {"it": ["U0AGIT"]}, since - DAY, team=OTHER_TEAM)
    at = since + HOUR
    with session_factory.begin() as session:
        # For an IT request, to an IT agent: IT once.
        _give(session, ["U0AGIT"], at, source=KudosSource.REQUEST, department_id=ids["it"])
        # To an HR agent: HR.
        _give(session, ["U0AGHR"], at)
        # To an agent of both: each of them.
        _give(session, ["U0AGBOTH"], at)
        # For a Facilities request, to someone listed nowhere: Facilities.
        _give(session, ["U0HELPER"], at, source=KudosSource.REQUEST, department_id=ids["fac"])
        # For an IT request, to an HR agent: both.
        _give(session, ["U0AGHR"], at, source=KudosSource.REQUEST, department_id=ids["it"])
        # To nobody's agent: no department.
        _give(session, ["U0HELPER"], at)
        # Not counted: withdrawn, out of the window.
        _withdrawn_reaction(session, at, giver="U0FAN", recipient="U0AGIT")
        _give(session, ["U0AGIT"], since - MICRO)
        _give(session, ["U0AGHR"], until)
        # The other team's kudos to a user id that is an IT agent here.
        _give(session, ["U0AGIT"], at, team=OTHER_TEAM)

    with session_factory() as session:
        team = kudos.department_kudos(session=session, since=since, until=until, team_id=TEAM)
        everyone = kudos.department_kudos(session=session, since=since, until=until)
        nothing = kudos.department_kudos(
            session=session, since=until + DAY, until=until + 2 * DAY, team_id=TEAM
        )

    assert team == {ids["it"]: 3, ids["hr"]: 3, ids["fac"]: 1}
    assert everyone == {ids["it"]: 3, ids["hr"]: 3, ids["fac"]: 1, other["it"]: 1}
    assert nothing == {}


# --- requests handled ---------------------------------------------------------------------------


def test_handled_requests_counts_resolutions_in_the_window_per_department(
    session_factory: SessionFactory, clock: FakeClock
) -> None:
    since = clock.now()
    until = since + 7 * DAY
    ids = _sync(session_factory, {"it": [], "hr": [], "fac": []}, since - 2 * DAY)
    other = _sync(session_factory, {"it": []}, since - 2 * DAY, team=OTHER_TEAM)
    with session_factory.begin() as session:
        _resolved(session, "it", since)
        _resolved(session, "it", until - MICRO)
        _resolved(session, "it", since - MICRO)
        _resolved(session, "it", until)
        reopened = _resolved(session, "it", since + HOUR)
        _act(session, reopened, RequestAction.REOPEN, since + 2 * HOUR)
        _act(session, _file(session, "it", since), RequestAction.CANCEL, since + HOUR)
        _file(session, "fac", since)
        _resolved(session, "hr", since + DAY)
        _resolved(session, "it", since + DAY, team=OTHER_TEAM)

    with session_factory() as session:
        team = kudos.handled_requests(session=session, since=since, until=until, team_id=TEAM)
        everyone = kudos.handled_requests(session=session, since=since, until=until)
    assert team == {ids["it"]: 2, ids["hr"]: 1}
    assert everyone == {ids["it"]: 2, ids["hr"]: 1, other["it"]: 1}


# --- the daily limit under concurrency ----------------------------------------------------------


@pytest.mark.parametrize("known_giver", [True, False], ids=["known-giver", "first-time-giver"])
def test_concurrent_gives_by_one_giver_stop_at_the_daily_limit(
    session_factory: SessionFactory, clock: FakeClock, known_giver: bool
) -> None:
    workers = 8
    limit = DEFAULT_DAILY_LIMIT
    now = clock.now()
    day_start, day_end = local_day(now, None)
    if known_giver:
        with session_factory.begin() as session:
            people.lock_person(session=session, team_id=TEAM, user_id=GIVER)
    start = threading.Barrier(workers, timeout=30)

    def give(n: int) -> bool:
        start.wait()
        with session_factory.begin() as session:
            people.lock_person(session=session, team_id=TEAM, user_id=GIVER)
            given = kudos.given_between(
                session=session, team_id=TEAM, giver_id=GIVER, start=day_start, end=day_end
            )
            if given >= limit:
                return False
            _give(session, [f"U0R{n}"], now, key=f"concurrent-{n}")
            return True

    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(give, n) for n in range(workers)]
        recorded = [future.result(timeout=60) for future in futures]

    assert recorded.count(True) == limit
    assert _count(session_factory, Kudos) == limit
    assert _count(session_factory, Shoutout) == limit
    with session_factory() as session:
        assert (
            kudos.given_between(
                session=session, team_id=TEAM, giver_id=GIVER, start=day_start, end=day_end
            )
            == limit
        )
