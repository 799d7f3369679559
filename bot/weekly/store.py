"""Weekly pulse rounds, deliveries and anonymous answers on the caller's session: they read
and write, the caller commits."""

from __future__ import annotations

import random
import uuid
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import case, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot import jobs
from bot.calendar import Week
from bot.db import compare_and_set
from bot.errors import NotFound
from bot.weekly.rules import (
    DeliverySnapshot,
    DeliveryState,
    IcsqArea,
    Question,
    QuestionKind,
    Recipient,
    RoundProgress,
    RoundSnapshot,
    WeeklyJob,
)
from models import (
    Department,
    Job,
    Request,
    WeeklyAnswer,
    WeeklyDelivery,
    WeeklyPendingAnswer,
    WeeklyPendingComment,
    WeeklyRound,
)

# Unpredictable, so the order answers are released in says nothing about who gave them.
_SHUFFLE = random.SystemRandom()


def _question_json(question: Question) -> dict[str, Any]:
    return {
        "kind": question.kind.value,
        "department_id": question.department_id,
        "department_name": question.department_name,
        "area": question.area.value if question.area else None,
    }


def _question(data: dict[str, Any]) -> Question:
    return Question(
        kind=QuestionKind(data["kind"]),
        department_id=data.get("department_id"),
        department_name=data.get("department_name"),
        area=IcsqArea(data["area"]) if data.get("area") else None,
    )


def _round_snapshot(row: WeeklyRound) -> RoundSnapshot:
    return RoundSnapshot(row.id, row.team_id, Week.parse(row.week))


def _delivery_snapshot(row: WeeklyDelivery, week: Week) -> DeliverySnapshot:
    return DeliverySnapshot(
        id=row.id,
        round_id=row.round_id,
        team_id=row.team_id,
        user_id=row.user_id,
        week=week,
        state=row.state,
        due_at=row.due_at,
        questions=tuple(_question(q) for q in row.questions),
        answered=frozenset(row.answered),
        channel_id=row.channel_id,
        ts=row.ts,
    )


def ensure_round(*, session: Session, team_id: str, week: Week, now: datetime) -> RoundSnapshot:
    query = select(WeeklyRound).where(WeeklyRound.team_id == team_id, WeeklyRound.week == week.key)
    existing = session.scalar(query)
    if existing is not None:
        return _round_snapshot(existing)
    try:
        with session.begin_nested():
            row = WeeklyRound(team_id=team_id, week=week.key, created_at=now)
            session.add(row)
            session.flush()
    except IntegrityError:
        row = session.scalars(query).one()
    return _round_snapshot(row)


def get_round(*, session: Session, team_id: str, week: Week) -> RoundSnapshot | None:
    row = session.scalar(
        select(WeeklyRound).where(WeeklyRound.team_id == team_id, WeeklyRound.week == week.key)
    )
    return _round_snapshot(row) if row is not None else None


def add_deliveries(
    *, session: Session, round_: RoundSnapshot, recipients: Sequence[Recipient], now: datetime
) -> int:
    """A delivery and its send job for each recipient not in the round yet; returns how many
    were added. Safe to repeat: a person is in a round once."""
    user_ids = [r.user_id for r in recipients]
    present = set(
        session.scalars(
            select(WeeklyDelivery.user_id).where(
                WeeklyDelivery.round_id == round_.id, WeeklyDelivery.user_id.in_(user_ids)
            )
        )
    )
    added = 0
    for recipient in recipients:
        if recipient.user_id in present:
            continue
        present.add(recipient.user_id)
        try:
            with session.begin_nested():
                row = WeeklyDelivery(
                    round_id=round_.id,
                    team_id=round_.team_id,
                    user_id=recipient.user_id,
                    state=DeliveryState.PENDING,
                    due_at=recipient.due_at,
                    questions=[_question_json(q) for q in recipient.questions],
                    answered=[],
                )
                session.add(row)
                session.flush()
        except IntegrityError:
            continue  # another runner added this person a moment ago
        jobs.enqueue(
            session=session,
            team_id=round_.team_id,
            kind=WeeklyJob.DELIVER,
            unique_key=f"{WeeklyJob.DELIVER}:{row.id}",
            due_at=recipient.due_at,
            now=now,
            payload={"delivery_id": row.id},
        )
        added += 1
    return added


def get_delivery(*, session: Session, delivery_id: int) -> DeliverySnapshot:
    row = session.get(WeeklyDelivery, delivery_id)
    if row is None:
        raise NotFound("That pulse no longer exists.")
    round_row = session.get(WeeklyRound, row.round_id)
    assert round_row is not None
    return _delivery_snapshot(row, Week.parse(round_row.week))


def set_delivery_state(
    *,
    session: Session,
    delivery_id: int,
    state: DeliveryState,
    expected: Sequence[DeliveryState],
    channel_id: str | None = None,
    ts: str | None = None,
) -> bool:
    """Move a delivery on if it is still in one of the `expected` states."""
    values: dict[str, object] = {"state": state}
    if ts is not None:
        values.update(channel_id=channel_id, ts=ts)
    return compare_and_set(
        session,
        WeeklyDelivery,
        WeeklyDelivery.id == delivery_id,
        WeeklyDelivery.state.in_(list(expected)),
        **values,
    )


def hold_open(*, session: Session, delivery: DeliverySnapshot, now: datetime) -> bool:
    """Whether the delivery still takes answers, asked in the transaction that writes one.
    It holds the round's row shared, which `close_week` takes exclusively: an answer is
    written before the week's release or refused after it, never left pending."""
    session.execute(
        select(WeeklyRound.id).where(WeeklyRound.id == delivery.round_id).with_for_update(read=True)
    )
    return now < delivery.closes_at


def close_week(*, session: Session, team_id: str, week: Week) -> None:
    """Wait for answers being written to the week, and keep new ones out (`hold_open`)."""
    session.execute(
        select(WeeklyRound.id)
        .where(WeeklyRound.team_id == team_id, WeeklyRound.week == week.key)
        .with_for_update()
    )


def record_answer(*, session: Session, delivery: DeliverySnapshot, index: int, score: int) -> bool:
    """Note on the delivery that this question is answered, and keep the answer pending until
    it is released among others (`release_answers`). False if it was answered already."""
    row = session.scalars(
        select(WeeklyDelivery).where(WeeklyDelivery.id == delivery.id).with_for_update()
    ).one()
    if index in row.answered:
        return False
    row.answered = sorted({*row.answered, index})
    question = delivery.questions[index]
    session.add(
        WeeklyPendingAnswer(
            id=uuid.uuid4().hex,
            team_id=delivery.team_id,
            week=delivery.week.key,
            delivery_id=delivery.id,
            department_id=question.department_id,
            kind=question.kind.value,
            area=question.area.value if question.area else None,
            score=score,
        )
    )
    session.flush()
    return True


def pending_people(*, session: Session, team_id: str, week: Week) -> int:
    """How many people's answers to the week are waiting (one delivery is one person)."""
    deliveries = select(WeeklyPendingAnswer.delivery_id).where(
        WeeklyPendingAnswer.team_id == team_id, WeeklyPendingAnswer.week == week.key
    )
    return len(set(session.scalars(deliveries)))


def release_answers(*, session: Session, team_id: str, week: Week, minimum_people: int = 0) -> int:
    """Move the week's pending answers, if from `minimum_people` (counted on the rows locked,
    which a concurrent release may have thinned), to `weekly_answers`, shuffled, under new
    ids, without their deliveries; returns how many. The caller commits this apart from any
    answering, so no row order or transaction id ties an answer to its delivery."""
    pending = list(
        session.scalars(
            select(WeeklyPendingAnswer)
            .where(WeeklyPendingAnswer.team_id == team_id, WeeklyPendingAnswer.week == week.key)
            .with_for_update()
        )
    )
    if len({row.delivery_id for row in pending}) < minimum_people:
        return 0
    _SHUFFLE.shuffle(pending)
    session.add_all(
        WeeklyAnswer(
            id=uuid.uuid4().hex,
            team_id=row.team_id,
            week=row.week,
            department_id=row.department_id,
            kind=row.kind,
            area=row.area,
            score=row.score,
        )
        for row in pending
    )
    session.flush()
    for row in pending:
        session.delete(row)
    session.flush()
    return len(pending)


def weeks_with_pending(*, session: Session, weeks: Sequence[str]) -> set[str]:
    """Which of these weeks still have answers or comments waiting: their results are not
    final until those are released."""
    answers = select(WeeklyPendingAnswer.week).where(WeeklyPendingAnswer.week.in_(weeks))
    comments = select(WeeklyPendingComment.week).where(WeeklyPendingComment.week.in_(weeks))
    return set(session.scalars(answers.union(comments)))


def round_progress(*, session: Session, round_: RoundSnapshot) -> RoundProgress:
    # Counted by the database: a round goes to everyone in the workspace.
    answered = func.sum(case((func.json_array_length(WeeklyDelivery.answered) > 0, 1), else_=0))
    rows = session.execute(
        select(WeeklyDelivery.state, func.count(), answered)
        .where(WeeklyDelivery.round_id == round_.id)
        .group_by(WeeklyDelivery.state)
    ).all()
    due = {state: int(count) for state, count, _ in rows}
    sent, failed = due.get(DeliveryState.SENT, 0), due.get(DeliveryState.FAILED, 0)
    return RoundProgress(round_.week, sum(due.values()), sent, failed, sum(a for *_, a in rows))


def bring_forward(*, session: Session, round_: RoundSnapshot, now: datetime) -> int:
    """Make every unsent delivery of the round due now; returns how many were waiting."""
    pending_ids = list(
        session.scalars(
            select(WeeklyDelivery.id).where(
                WeeklyDelivery.round_id == round_.id,
                WeeklyDelivery.state == DeliveryState.PENDING,
            )
        )
    )
    keys = [f"{WeeklyJob.DELIVER}:{delivery_id}" for delivery_id in pending_ids]
    for start in range(0, len(keys), 500):
        session.execute(
            update(Job)
            .where(
                Job.unique_key.in_(keys[start : start + 500]),
                Job.state == jobs.JobState.PENDING.value,
                Job.due_at > now,
            )
            .values(due_at=now, updated_at=now)
        )
    return len(pending_ids)


def due_deliveries(*, session: Session, now: datetime) -> int:
    """Weekly pulse DMs waiting to be sent that are due by `now`."""
    return int(
        session.scalar(
            select(func.count())
            .select_from(Job)
            .where(
                Job.kind == WeeklyJob.DELIVER,
                Job.state.in_([jobs.JobState.PENDING.value, jobs.JobState.RUNNING.value]),
                Job.due_at <= now,
            )
        )
        or 0
    )


def requests_by_requester(
    *, session: Session, team_id: str, since: datetime, until: datetime
) -> dict[str, list[tuple[int, str, int]]]:
    """Who filed requests with which departments in the window, and how many: per
    requester, (department id, department name, requests)."""
    rows = session.execute(
        select(Request.requester_id, Department.id, Department.name, func.count(Request.id))
        .join(Department, Department.id == Request.department_id)
        .where(
            Request.team_id == team_id,
            Request.created_at >= since,
            Request.created_at <= until,
        )
        .group_by(Request.requester_id, Department.id, Department.name)
    )
    used: dict[str, list[tuple[int, str, int]]] = defaultdict(list)
    for requester_id, department_id, name, count in rows:
        used[requester_id].append((department_id, name, int(count)))
    return dict(used)


def requesters_since(*, session: Session, team_id: str, since: datetime) -> set[str]:
    return set(
        session.scalars(
            select(Request.requester_id)
            .where(Request.team_id == team_id, Request.created_at >= since)
            .distinct()
        )
    )
