"""Kudos in the database: shout-outs and the kudos they give, kudos by reaction, and the
counts that `/kudos`, the digest and the report are made of. Session functions only: the
workflows are in `bot/kudos/flows/`."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection, Sequence
from datetime import datetime

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.db import compare_and_set
from bot.kudos.rules import (
    GivenKudos,
    KudosSource,
    ReactionChange,
    ReactionKudos,
    ShoutoutSnapshot,
    Tally,
)
from models import Department, Kudos, Request, Shoutout


def shoutout_for_key(*, session: Session, idempotency_key: str) -> ShoutoutSnapshot | None:
    shoutout_id = session.scalar(
        select(Shoutout.id).where(Shoutout.idempotency_key == idempotency_key)
    )
    return None if shoutout_id is None else get_shoutout(session=session, shoutout_id=shoutout_id)


def get_shoutout(*, session: Session, shoutout_id: int) -> ShoutoutSnapshot:
    shoutout = session.get(Shoutout, shoutout_id)
    if shoutout is None:
        raise LookupError(f"shout-out {shoutout_id} does not exist")
    rows = session.execute(
        select(Kudos.recipient_id, Kudos.notified_at)
        .where(Kudos.shoutout_id == shoutout_id)
        .order_by(Kudos.id)
    ).all()
    return ShoutoutSnapshot(
        id=shoutout.id,
        team_id=shoutout.team_id,
        giver_id=shoutout.giver_id,
        source=KudosSource(shoutout.source),
        message=shoutout.message,
        value=shoutout.value,
        request_id=shoutout.request_id,
        recipients=tuple(recipient for recipient, _ in rows),
        unnotified=tuple(recipient for recipient, notified in rows if notified is None),
        post_claimed_at=shoutout.post_claimed_at,
        channel_id=shoutout.channel_id,
        ts=shoutout.ts,
        permalink=shoutout.permalink,
    )


def record_shoutout(
    *,
    session: Session,
    team_id: str,
    giver_id: str,
    source: KudosSource,
    recipients: Sequence[str],
    message: str,
    value: str | None,
    idempotency_key: str,
    now: datetime,
    request_id: int | None = None,
    department_id: int | None = None,
) -> ShoutoutSnapshot:
    """The shout-out and a kudos per recipient; a repeated key returns the first instead."""
    try:
        with session.begin_nested():
            shoutout = Shoutout(
                team_id=team_id,
                giver_id=giver_id,
                source=source.value,
                message=message,
                value=value,
                request_id=request_id,
                idempotency_key=idempotency_key,
                created_at=now,
            )
            session.add(shoutout)
            session.flush()
            for recipient in recipients:
                session.add(
                    Kudos(
                        team_id=team_id,
                        giver_id=giver_id,
                        recipient_id=recipient,
                        source=source.value,
                        given_at=now,
                        shoutout_id=shoutout.id,
                        department_id=department_id,
                    )
                )
            session.flush()
    except IntegrityError:
        existing = shoutout_for_key(session=session, idempotency_key=idempotency_key)
        if existing is None:
            raise
        return existing
    return get_shoutout(session=session, shoutout_id=shoutout.id)


def given_between(
    *, session: Session, team_id: str, giver_id: str, start: datetime, end: datetime
) -> int:
    """Kudos this giver gave in [start, end) that still count (not withdrawn)."""
    return int(
        session.scalar(
            select(func.count(Kudos.id)).where(
                Kudos.team_id == team_id,
                Kudos.giver_id == giver_id,
                Kudos.given_at >= start,
                Kudos.given_at < end,
                Kudos.withdrawn_at.is_(None),
            )
        )
        or 0
    )


def recent_given(*, session: Session, team_id: str, giver_id: str, limit: int) -> list[GivenKudos]:
    rows = session.execute(
        select(Kudos.recipient_id, Kudos.given_at, Kudos.source, Shoutout.value)
        .outerjoin(Shoutout, Shoutout.id == Kudos.shoutout_id)
        .where(Kudos.team_id == team_id, Kudos.giver_id == giver_id, Kudos.withdrawn_at.is_(None))
        .order_by(Kudos.given_at.desc(), Kudos.id.desc())
        .limit(limit)
    )
    return [
        GivenKudos(recipient, given_at, KudosSource(source), value)
        for recipient, given_at, source, value in rows
    ]


def claim_post(
    *, session: Session, shoutout_id: int, now: datetime, abandoned_before: datetime
) -> bool:
    """Take the posting of a shout-out: True for one runner at a time, until its claim is
    as old as `abandoned_before` (it died, Slack failed, or Slack never answered). A claim is
    never given back: it is what tells the next runner that a post may have reached Slack."""
    return compare_and_set(
        session,
        Shoutout,
        Shoutout.id == shoutout_id,
        Shoutout.ts.is_(None),
        or_(Shoutout.post_claimed_at.is_(None), Shoutout.post_claimed_at <= abandoned_before),
        post_claimed_at=now,
    )


def record_post(
    *,
    session: Session,
    shoutout_id: int,
    channel_id: str,
    ts: str,
    permalink: str | None,
    now: datetime,
) -> None:
    session.execute(
        update(Shoutout)
        .where(Shoutout.id == shoutout_id)
        .values(channel_id=channel_id, ts=ts, permalink=permalink, posted_at=now)
    )


def mark_notified(*, session: Session, shoutout_id: int, recipient_id: str, now: datetime) -> None:
    session.execute(
        update(Kudos)
        .where(Kudos.shoutout_id == shoutout_id, Kudos.recipient_id == recipient_id)
        .values(notified_at=now)
    )


def reaction_counts(
    *, session: Session, team_id: str, giver_id: str, channel_id: str, ts: str
) -> bool:
    """Whether this giver's kudos on this message is given and not withdrawn."""
    row = session.execute(
        select(Kudos.withdrawn_at).where(
            Kudos.team_id == team_id,
            Kudos.giver_id == giver_id,
            Kudos.reaction_channel_id == channel_id,
            Kudos.reaction_ts == ts,
        )
    ).first()
    return row is not None and row[0] is None


def apply_reaction(
    *,
    session: Session,
    team_id: str,
    giver_id: str,
    recipient_id: str,
    channel_id: str,
    ts: str,
    added: bool,
    event_ts: str | None,
    now: datetime,
) -> ReactionChange:
    """Give or withdraw the kudos of one giver's reaction on one message. A delivery older
    than the last one applied (Slack does not promise order) changes nothing; a removal
    that arrives before its add leaves a withdrawn row, so the late add is ignored too."""
    kudos = session.scalar(
        select(Kudos)
        .where(
            Kudos.team_id == team_id,
            Kudos.giver_id == giver_id,
            Kudos.reaction_channel_id == channel_id,
            Kudos.reaction_ts == ts,
        )
        .with_for_update()
    )
    if kudos is None:
        try:
            with session.begin_nested():
                session.add(
                    Kudos(
                        team_id=team_id,
                        giver_id=giver_id,
                        recipient_id=recipient_id,
                        source=KudosSource.REACTION.value,
                        given_at=now,
                        reaction_channel_id=channel_id,
                        reaction_ts=ts,
                        reaction_event_ts=event_ts,
                        withdrawn_at=None if added else now,
                    )
                )
                session.flush()
        except IntegrityError:
            # The same reaction, delivered again on another worker a moment ago.
            return ReactionChange.UNCHANGED
        return ReactionChange.GIVEN if added else ReactionChange.UNCHANGED
    last = kudos.reaction_event_ts
    if event_ts is not None and last is not None and float(event_ts) <= float(last):
        return ReactionChange.UNCHANGED
    counted = kudos.withdrawn_at is None
    kudos.reaction_event_ts = event_ts or kudos.reaction_event_ts
    if added and not counted:
        kudos.withdrawn_at = None
        kudos.given_at = now
        session.flush()
        return ReactionChange.GIVEN
    if not added and counted:
        kudos.withdrawn_at = now
        session.flush()
        return ReactionChange.WITHDRAWN
    session.flush()
    return ReactionChange.UNCHANGED


def unannounced_reactions(
    *, session: Session, team_id: str, until: datetime
) -> list[ReactionKudos]:
    rows = session.execute(
        select(
            Kudos.id,
            Kudos.giver_id,
            Kudos.recipient_id,
            Kudos.reaction_channel_id,
            Kudos.reaction_ts,
        )
        .where(
            Kudos.team_id == team_id,
            Kudos.source == KudosSource.REACTION.value,
            Kudos.announced_at.is_(None),
            Kudos.withdrawn_at.is_(None),
            Kudos.given_at <= until,
        )
        .order_by(Kudos.given_at, Kudos.id)
    )
    return [
        ReactionKudos(id_, giver, recipient, str(channel), str(ts))
        for id_, giver, recipient, channel, ts in rows
    ]


def mark_announced(*, session: Session, kudos_ids: Sequence[int], now: datetime) -> None:
    if kudos_ids:
        session.execute(update(Kudos).where(Kudos.id.in_(kudos_ids)).values(announced_at=now))


def tally(
    *, session: Session, since: datetime, until: datetime, team_id: str | None = None
) -> Tally:
    conditions = [Kudos.given_at >= since, Kudos.given_at < until, Kudos.withdrawn_at.is_(None)]
    if team_id is not None:
        conditions.append(Kudos.team_id == team_id)
    rows = session.execute(
        select(Kudos.giver_id, Kudos.recipient_id, Kudos.shoutout_id)
        .where(and_(*conditions))
        .order_by(Kudos.given_at, Kudos.id)
    ).all()
    received: Counter[str] = Counter(recipient for _, recipient, _ in rows)
    given: Counter[str] = Counter(giver for giver, _, _ in rows)
    shoutouts = {shoutout for _, _, shoutout in rows if shoutout is not None}
    # Counter.most_common keeps first-seen order among equal counts.
    return Tally(
        receivers=received.most_common(),
        givers=given.most_common(),
        shoutouts=len(shoutouts),
        kudos=len(rows),
    )


def department_kudos(
    *, session: Session, since: datetime, until: datetime, team_id: str | None = None
) -> dict[int, int]:
    """Kudos per department over [since, until): those thanking for its requests, and those
    received by its listed agents. A kudos counts once per department."""
    conditions = [Kudos.given_at >= since, Kudos.given_at < until, Kudos.withdrawn_at.is_(None)]
    department_conditions = []
    if team_id is not None:
        conditions.append(Kudos.team_id == team_id)
        department_conditions.append(Department.team_id == team_id)
    agents: dict[str, list[tuple[int, set[str]]]] = defaultdict(list)
    for department_id, team, listed in session.execute(
        select(Department.id, Department.team_id, Department.agents).where(*department_conditions)
    ):
        agents[team].append((department_id, set(listed or ())))
    counts: Counter[int] = Counter()
    for team, recipient, credited in session.execute(
        select(Kudos.team_id, Kudos.recipient_id, Kudos.department_id).where(and_(*conditions))
    ):
        departments = {d for d, listed in agents.get(team, []) if recipient in listed}
        if credited is not None:
            departments.add(credited)
        counts.update(departments)
    return dict(counts)


def handled_requests(
    *,
    session: Session,
    since: datetime,
    until: datetime,
    team_id: str | None = None,
    department_ids: Collection[int] | None = None,
) -> dict[int, int]:
    """Requests each department (of a workspace, or those named) resolved in [since, until)."""
    conditions = [
        Request.resolved_at.is_not(None),
        Request.resolved_at >= since,
        Request.resolved_at < until,
    ]
    # Departments named belong to one workspace: without its condition the count is read from
    # an index alone.
    if department_ids is not None:
        conditions.append(Request.department_id.in_(sorted(department_ids)))
    elif team_id is not None:
        conditions.append(Request.team_id == team_id)
    rows = session.execute(
        select(Request.department_id, func.count())
        .where(and_(*conditions))
        .group_by(Request.department_id)
    )
    return {department_id: int(count) for department_id, count in rows}
