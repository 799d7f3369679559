"""Weekly comments on the caller's session: pending until the week's answers close, then
released without their writers; and read back as leads may see them."""

from __future__ import annotations

import random
import uuid
from collections.abc import Collection, Sequence

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.calendar import Week
from bot.errors import NotFound
from bot.weekly.comments.rules import ShownComment, topic_of
from bot.weekly.rules import DeliverySnapshot, QuestionKind
from models import WeeklyAnswer, WeeklyComment, WeeklyDelivery, WeeklyPendingComment

# Unpredictable, so the order comments are released in says nothing about who wrote them.
_SHUFFLE = random.SystemRandom()


def record_comment(
    *,
    session: Session,
    delivery: DeliverySnapshot,
    department_id: int | None,
    text: str,
    reply_token: str | None = None,
) -> None:
    """Keep a comment pending until the week's answers close: one per person and topic, a
    later one replacing the earlier (and its wish for a reply)."""
    topic = topic_of(department_id)
    existing = session.scalar(
        select(WeeklyPendingComment)
        .where(WeeklyPendingComment.delivery_id == delivery.id, WeeklyPendingComment.topic == topic)
        .with_for_update()
    )
    if existing is not None:
        existing.text = text
        existing.reply_token = reply_token
        session.flush()
        return
    try:
        with session.begin_nested():
            session.add(
                WeeklyPendingComment(
                    id=uuid.uuid4().hex,
                    team_id=delivery.team_id,
                    week=delivery.week.key,
                    delivery_id=delivery.id,
                    topic=topic,
                    department_id=department_id,
                    text=text,
                    reply_token=reply_token,
                )
            )
            session.flush()
    except IntegrityError:
        # The same person's comment on the same topic, written a moment ago elsewhere.
        record_comment(
            session=session,
            delivery=delivery,
            department_id=department_id,
            text=text,
            reply_token=reply_token,
        )


def release_comments(*, session: Session, team_id: str, week: Week) -> int:
    """Move the week's pending comments to `weekly_comments`, shuffled and without their
    deliveries; a comment counts only if its writer answered about its topic (about the
    department, or anything for a general comment). Returns how many were kept."""
    pending = list(
        session.execute(
            select(WeeklyPendingComment, WeeklyDelivery.questions, WeeklyDelivery.answered)
            .join(WeeklyDelivery, WeeklyDelivery.id == WeeklyPendingComment.delivery_id)
            .where(WeeklyPendingComment.team_id == team_id, WeeklyPendingComment.week == week.key)
        ).all()
    )
    kept = [
        comment
        for comment, questions, answered in pending
        if answered
        and (
            comment.department_id is None
            or any(questions[i].get("department_id") == comment.department_id for i in answered)
        )
    ]
    _SHUFFLE.shuffle(kept)
    session.add_all(
        WeeklyComment(
            id=uuid.uuid4().hex,
            team_id=comment.team_id,
            week=comment.week,
            department_id=comment.department_id,
            text=comment.text,
            reply_token=comment.reply_token,
        )
        for comment in kept
    )
    session.flush()
    for comment, _, _ in pending:
        session.delete(comment)
    session.flush()
    return len(kept)


def _snapshot(row: WeeklyComment) -> ShownComment:
    return ShownComment(
        id=row.id,
        team_id=row.team_id,
        week=row.week,
        department_id=row.department_id,
        text=row.text,
        reply_token=row.reply_token,
    )


def _weeks_with_enough(
    session: Session,
    *,
    team_id: str,
    department_ids: Collection[int],
    weeks: Sequence[str],
    minimum: int,
) -> set[tuple[int, str]]:
    """(department, week) pairs whose pulse question at least `minimum` people answered: only
    their comments may be shown, as in the report (weekly_results)."""
    rows = session.execute(
        select(WeeklyAnswer.department_id, WeeklyAnswer.week)
        .where(
            WeeklyAnswer.team_id == team_id,
            WeeklyAnswer.week.in_(list(weeks)),
            WeeklyAnswer.department_id.in_(sorted(department_ids)),
            WeeklyAnswer.kind == QuestionKind.PULSE.value,
        )
        .group_by(WeeklyAnswer.department_id, WeeklyAnswer.week)
        .having(func.count() >= minimum)
    )
    return {(department_id, week) for department_id, week in rows if department_id is not None}


def shown_comments(
    *,
    session: Session,
    team_id: str,
    department_ids: Collection[int],
    weeks: Sequence[str],
    minimum: int,
    limit: int,
) -> list[ShownComment]:
    """The departments' comments of these (final) weeks that may be shown, newest week first;
    within a week in the order of their random ids, which says nothing about who wrote first."""
    if not department_ids or not weeks:
        return []
    shown = _weeks_with_enough(
        session, team_id=team_id, department_ids=department_ids, weeks=weeks, minimum=minimum
    )
    rows = session.scalars(
        select(WeeklyComment)
        .where(
            WeeklyComment.team_id == team_id,
            WeeklyComment.week.in_([week for _, week in shown]),
            WeeklyComment.department_id.in_(sorted(department_ids)),
        )
        .order_by(WeeklyComment.week.desc(), WeeklyComment.id)
    )
    found = [
        _snapshot(row)
        for row in rows
        if row.department_id is not None and (row.department_id, row.week) in shown
    ]
    return found[:limit]


def get_shown_comment(
    *, session: Session, team_id: str, comment_id: str, weeks: Sequence[str], minimum: int
) -> ShownComment:
    """One comment a lead may see, or NotFound: one of another workspace, of a week not final
    or with too few answers, or about no department, is as good as none."""
    row = session.get(WeeklyComment, comment_id)
    if row is None or row.team_id != team_id or row.department_id is None:
        raise NotFound("That comment is not there any more.")
    shown = _weeks_with_enough(
        session, team_id=team_id, department_ids=[row.department_id], weeks=weeks, minimum=minimum
    )
    if (row.department_id, row.week) not in shown:
        raise NotFound("That comment is not there any more.")
    return _snapshot(row)
