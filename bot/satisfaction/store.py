"""Satisfaction pulses and ratings on the caller's session: they read and write, the caller
commits."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from sqlalchemy import exists, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot import jobs
from bot.db import compare_and_set
from bot.errors import NotFound
from bot.people import store as people_store
from bot.requests.rules import RequestSnapshot
from bot.satisfaction.rules import (
    LOW_RATING_MAX,
    UNSENT_STATES,
    PulseSnapshot,
    PulseState,
    RatingChange,
    RatingSnapshot,
    RatingSource,
    SatisfactionJob,
    SkipReason,
    SurveyMessageKind,
    pulse_closes_at,
)
from models import Rating, Request, SatisfactionPulse, SurveyMessage


def pulse_snapshot(pulse: SatisfactionPulse) -> PulseSnapshot:
    return PulseSnapshot(
        id=pulse.id,
        team_id=pulse.team_id,
        request_id=pulse.request_id,
        requester_id=pulse.requester_id,
        state=PulseState(pulse.state),
        resolved_at=pulse.resolved_at,
        due_at=pulse.due_at,
        sent_at=pulse.sent_at,
        closes_at=pulse.closes_at,
        cooldown_reserved_at=pulse.cooldown_reserved_at,
    )


def rating_snapshot(rating: Rating) -> RatingSnapshot:
    return RatingSnapshot(
        request_id=rating.request_id,
        requester_id=rating.requester_id,
        score=rating.score,
        source=RatingSource(rating.source),
        reaction=rating.reaction,
        comment=rating.comment,
        rated_at=rating.rated_at,
    )


def _send_key(pulse_id: int) -> str:
    return f"{SatisfactionJob.SEND_PULSE}:{pulse_id}"


def schedule_pulse(
    *, session: Session, request: RequestSnapshot, delay: timedelta, now: datetime
) -> PulseSnapshot:
    """A pulse for this resolution, with its send job, in the resolving transaction."""
    due_at = now + delay
    pulse = SatisfactionPulse(
        team_id=request.team_id,
        request_id=request.id,
        requester_id=request.requester_id,
        state=PulseState.SCHEDULED.value,
        resolved_at=request.resolved_at or now,
        due_at=due_at,
        closes_at=pulse_closes_at(due_at),
        created_at=now,
        updated_at=now,
    )
    session.add(pulse)
    session.flush()
    jobs.enqueue(
        session=session,
        team_id=request.team_id,
        kind=SatisfactionJob.SEND_PULSE,
        unique_key=_send_key(pulse.id),
        due_at=due_at,
        now=now,
        payload={"pulse_id": pulse.id},
    )
    return pulse_snapshot(pulse)


def cancel_unsent_pulses(*, session: Session, request_id: int, now: datetime) -> int:
    pulses = session.scalars(
        select(SatisfactionPulse).where(
            SatisfactionPulse.request_id == request_id,
            SatisfactionPulse.state.in_(UNSENT_STATES),
        )
    ).all()
    for pulse in pulses:
        release_cooldown(session=session, pulse=pulse_snapshot(pulse))
        pulse.state = PulseState.CANCELLED.value
        pulse.updated_at = now
        jobs.cancel(session=session, unique_key=_send_key(pulse.id), now=now)
    session.flush()
    return len(pulses)


def get_pulse(*, session: Session, pulse_id: int, team_id: str | None = None) -> PulseSnapshot:
    pulse = session.get(SatisfactionPulse, pulse_id)
    if pulse is None or (team_id is not None and pulse.team_id != team_id):
        raise NotFound("That survey no longer exists.")
    return pulse_snapshot(pulse)


def latest_pulse(*, session: Session, request_id: int) -> PulseSnapshot | None:
    pulse = session.scalars(
        select(SatisfactionPulse)
        .where(SatisfactionPulse.request_id == request_id)
        .order_by(SatisfactionPulse.id.desc())
        .limit(1)
    ).first()
    return pulse_snapshot(pulse) if pulse is not None else None


def set_pulse_state(
    *,
    session: Session,
    pulse_id: int,
    state: PulseState,
    now: datetime,
    expected: tuple[PulseState, ...],
    skip_reason: SkipReason | None = None,
) -> bool:
    """Move a pulse on if it is still in one of the `expected` states (compare-and-set)."""
    values: dict[str, object] = {"state": state.value, "updated_at": now}
    if skip_reason is not None:
        values["skip_reason"] = skip_reason.value
    if state is PulseState.SENT:
        values.update(sent_at=now, closes_at=pulse_closes_at(now))
    elif state is PulseState.SENDING:
        values["cooldown_reserved_at"] = now
    return compare_and_set(
        session,
        SatisfactionPulse,
        SatisfactionPulse.id == pulse_id,
        SatisfactionPulse.state.in_([s.value for s in expected]),
        **values,
    )


def release_cooldown(*, session: Session, pulse: PulseSnapshot) -> None:
    """The pulse will not reach its requester after all: their cooldown is free again."""
    if pulse.cooldown_reserved_at is not None:
        people_store.release_satisfaction_pulse(
            session=session,
            team_id=pulse.team_id,
            user_id=pulse.requester_id,
            reserved_at=pulse.cooldown_reserved_at,
        )


def schedule_close(*, session: Session, pulse: PulseSnapshot, now: datetime) -> None:
    """When the answer window ends, the pulse DM is rewritten without its buttons."""
    jobs.enqueue(
        session=session,
        team_id=pulse.team_id,
        kind=SatisfactionJob.CLOSE_PULSE,
        unique_key=f"{SatisfactionJob.CLOSE_PULSE}:{pulse.id}",
        due_at=pulse.closes_at,
        now=now,
        payload={"pulse_id": pulse.id},
    )


def record_survey_message(
    *,
    session: Session,
    pulse: PulseSnapshot,
    kind: SurveyMessageKind,
    channel_id: str,
    ts: str,
    now: datetime,
) -> None:
    try:
        with session.begin_nested():
            session.add(
                SurveyMessage(
                    team_id=pulse.team_id,
                    pulse_id=pulse.id,
                    kind=kind.value,
                    channel_id=channel_id,
                    ts=ts,
                    created_at=now,
                )
            )
            session.flush()
    except IntegrityError:
        pass  # recorded already: the same message reported twice


def survey_message(
    *, session: Session, pulse_id: int, kind: SurveyMessageKind
) -> tuple[str, str] | None:
    row = session.scalars(
        select(SurveyMessage).where(SurveyMessage.pulse_id == pulse_id, SurveyMessage.kind == kind)
    ).first()
    return (row.channel_id, row.ts) if row is not None else None


def pulse_for_message(*, session: Session, channel_id: str, ts: str) -> PulseSnapshot | None:
    """The pulse a reacted-to message belongs to, if it is one of the rateable DMs."""
    row = session.scalar(
        select(SurveyMessage).where(SurveyMessage.channel_id == channel_id, SurveyMessage.ts == ts)
    )
    if row is None:
        return None
    return get_pulse(session=session, pulse_id=row.pulse_id)


def get_rating(*, session: Session, request_id: int) -> RatingSnapshot | None:
    rating = session.scalar(select(Rating).where(Rating.request_id == request_id))
    return rating_snapshot(rating) if rating is not None else None


def set_rating(
    *, session: Session, pulse: PulseSnapshot, score: int, now: datetime
) -> RatingChange:
    """A click on the pulse's buttons: the new answer replaces the old."""
    rating = _lock_rating(session, pulse, now)
    before = rating.score
    if before != score or rating.source != RatingSource.BUTTON.value:
        rating.rated_at = now
    rating.score = score
    rating.source = RatingSource.BUTTON.value
    rating.reaction = None
    rating.updated_at = now
    session.flush()
    return RatingChange(pulse.request_id, before, score)


def apply_reaction(
    *,
    session: Session,
    pulse: PulseSnapshot,
    emoji: str,
    score: int,
    added: bool,
    event_ts: str | None,
    now: datetime,
) -> RatingChange:
    """An emoji added (rate with its score) or removed (withdraw, if it gave the current
    rating; removing any other emoji changes nothing). Under the rating's row lock, and in
    `event_ts` order: a delivery older than the last one applied changes nothing."""
    rating = _lock_rating(session, pulse, now)
    current = rating.score
    if _is_older(event_ts, rating.reaction_event_ts):
        return RatingChange(pulse.request_id, current, current)
    if event_ts is not None:
        rating.reaction_event_ts = event_ts
    if added:
        if current != score or rating.reaction != emoji:
            rating.score = score
            rating.source = RatingSource.REACTION.value
            rating.reaction = emoji
            rating.rated_at = now
    elif rating.source == RatingSource.REACTION.value and rating.reaction == emoji:
        rating.score = None
        rating.reaction = None
        rating.rated_at = None
    rating.updated_at = now
    session.flush()
    return RatingChange(pulse.request_id, current, rating.score)


def _is_older(event_ts: str | None, last_applied: str | None) -> bool:
    if event_ts is None or last_applied is None:
        return False
    try:
        return Decimal(event_ts) < Decimal(last_applied)
    except InvalidOperation:
        return False


def claim_lead_request(*, session: Session, request_id: int, now: datetime) -> bool:
    """Take the one "Talk to a lead" of the request's current low rating: True once per
    rating of 1 or 2, False for a repeat or when the rating is no longer low."""
    return compare_and_set(
        session,
        Rating,
        Rating.request_id == request_id,
        Rating.score.is_not(None),
        Rating.score <= LOW_RATING_MAX,
        or_(Rating.lead_requested_at.is_(None), Rating.lead_requested_at < Rating.rated_at),
        lead_requested_at=now,
    )


def set_comment(*, session: Session, pulse: PulseSnapshot, comment: str, now: datetime) -> None:
    rating = _lock_rating(session, pulse, now)
    rating.comment = comment
    rating.updated_at = now
    session.flush()


def _lock_rating(session: Session, pulse: PulseSnapshot, now: datetime) -> Rating:
    """The request's rating row, created on first use; concurrent first answers meet on the
    unique request id and the loser reads the winner's row."""
    query = select(Rating).where(Rating.request_id == pulse.request_id).with_for_update()
    rating = session.scalar(query)
    if rating is not None:
        return rating
    try:
        with session.begin_nested():
            rating = Rating(
                team_id=pulse.team_id,
                request_id=pulse.request_id,
                department_id=select(Request.department_id)
                .where(Request.id == pulse.request_id)
                .scalar_subquery(),
                requester_id=pulse.requester_id,
                source=RatingSource.BUTTON.value,
                created_at=now,
                updated_at=now,
            )
            session.add(rating)
            session.flush()
    except IntegrityError:
        rating = session.scalar(query)
        if rating is None:
            raise
    return rating


def recent_feedback(
    *, session: Session, department_ids: Sequence[int], since: datetime, limit: int
) -> list[tuple[int, int | None, str | None, datetime]]:
    """(request id, score, comment, when) of the latest ratings and comments, newest first."""
    # Ratings are read newest first and each looked up in its request, so the search stops at
    # the `limit`th: a condition on the ratings' own department lets the planner read every
    # rating the departments had in the window through their index instead, and sort them.
    theirs = exists().where(
        Request.id == Rating.request_id, Request.department_id.in_(department_ids)
    )
    rows = session.execute(
        select(Rating.request_id, Rating.score, Rating.comment, Rating.updated_at)
        .where(
            theirs,
            Rating.updated_at >= since,
            or_(Rating.score.is_not(None), Rating.comment.is_not(None)),
        )
        .order_by(Rating.updated_at.desc(), Rating.id.desc())
        .limit(limit)
    )
    return [(request_id, score, comment, at) for request_id, score, comment, at in rows]
