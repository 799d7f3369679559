"""Shared updates on the caller's session: what a lead shares, which round carries it, and
the released results it answers."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.calendar import Week
from bot.weekly.rules import (
    DeliverySnapshot,
    IcsqArea,
    QuestionKind,
    WeeklyAnswerRow,
    WeeklyResults,
    weekly_results,
)
from bot.weekly.updates.rules import ResultQuote, SharedUpdate
from models import Department, Request, WeeklyAnswer, WeeklySharedUpdate


def _snapshot(row: WeeklySharedUpdate, department_name: str) -> SharedUpdate:
    result = None
    if row.result_week and row.result_metric and row.result_score is not None:
        result = ResultQuote(
            row.result_week, row.result_metric, row.result_score, row.result_responses or 0
        )
    return SharedUpdate(
        id=row.id,
        department_id=row.department_id,
        department_name=department_name,
        text=row.text,
        created_at=row.created_at,
        result=result,
    )


def share_update(
    *,
    session: Session,
    team_id: str,
    department_id: int,
    author_id: str,
    text: str,
    idempotency_key: str,
    now: datetime,
    result: ResultQuote | None,
) -> None:
    """Keep what the department shares; the same form submitted twice is kept once."""
    found = select(WeeklySharedUpdate.id).where(
        WeeklySharedUpdate.team_id == team_id,
        WeeklySharedUpdate.idempotency_key == idempotency_key,
    )
    if session.scalar(found) is not None:
        return
    try:
        with session.begin_nested():
            session.add(
                WeeklySharedUpdate(
                    team_id=team_id,
                    department_id=department_id,
                    text=text,
                    author_id=author_id,
                    created_at=now,
                    idempotency_key=idempotency_key,
                    result_week=result.week if result else None,
                    result_metric=result.metric if result else None,
                    result_score=result.score if result else None,
                    result_responses=result.responses if result else None,
                )
            )
            session.flush()
    except IntegrityError:
        pass  # the same submission, kept a moment ago by another worker


def claim_for_round(
    *, session: Session, team_id: str, week: Week, department_ids: Collection[int]
) -> int:
    """Give the round of `week` every update of these departments no round has carried yet,
    so it is shown in that week's DMs and in no later week's."""
    if not department_ids:
        return 0
    result = session.execute(
        update(WeeklySharedUpdate)
        .where(
            WeeklySharedUpdate.team_id == team_id,
            WeeklySharedUpdate.shown_week.is_(None),
            WeeklySharedUpdate.department_id.in_(sorted(department_ids)),
        )
        .values(shown_week=week.key)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def _latest_per_department(session: Session, *conditions: Any) -> dict[int, SharedUpdate]:
    rows = session.execute(
        select(WeeklySharedUpdate, Department.name)
        .join(Department, Department.id == WeeklySharedUpdate.department_id)
        .where(*conditions)
        .order_by(WeeklySharedUpdate.created_at, WeeklySharedUpdate.id)
    )
    # Oldest first, so each department keeps its latest.
    return {row.department_id: _snapshot(row, name) for row, name in rows}


def updates_for_week(
    *, session: Session, team_id: str, week: Week, department_ids: Collection[int]
) -> dict[int, SharedUpdate]:
    """Per department, the latest update the round of `week` carries."""
    if not department_ids:
        return {}
    return _latest_per_department(
        session,
        WeeklySharedUpdate.team_id == team_id,
        WeeklySharedUpdate.shown_week == week.key,
        WeeklySharedUpdate.department_id.in_(sorted(department_ids)),
    )


def for_delivery(*, session: Session, delivery: DeliverySnapshot) -> dict[int, SharedUpdate]:
    """What the departments a person's pulse asks about shared for that week's round."""
    return updates_for_week(
        session=session,
        team_id=delivery.team_id,
        week=delivery.week,
        department_ids={q.department_id for q in delivery.questions if q.department_id},
    )


def latest_updates(
    *, session: Session, team_id: str, department_ids: Collection[int]
) -> dict[int, SharedUpdate]:
    if not department_ids:
        return {}
    return _latest_per_department(
        session,
        WeeklySharedUpdate.team_id == team_id,
        WeeklySharedUpdate.department_id.in_(sorted(department_ids)),
    )


def used_departments(*, session: Session, team_id: str, user_id: str, since: datetime) -> list[int]:
    """The departments this person filed requests with since then."""
    return list(
        session.scalars(
            select(Request.department_id)
            .where(
                Request.team_id == team_id,
                Request.requester_id == user_id,
                Request.created_at >= since,
            )
            .distinct()
        )
    )


def week_results(
    *, session: Session, team_id: str, department_id: int, week: Week, minimum: int
) -> WeeklyResults:
    """A department's released results of one week, under the anonymity rule."""
    rows = session.execute(
        select(WeeklyAnswer.kind, WeeklyAnswer.area, WeeklyAnswer.score).where(
            WeeklyAnswer.team_id == team_id,
            WeeklyAnswer.week == week.key,
            WeeklyAnswer.department_id == department_id,
        )
    )
    return weekly_results(
        (
            WeeklyAnswerRow(week.key, QuestionKind(kind), IcsqArea(area) if area else None, score)
            for kind, area, score in rows
        ),
        minimum=minimum,
    )


def shared_updates(
    *,
    session: Session,
    since: datetime,
    until: datetime,
    team_id: str | None,
    department_ids: Collection[int] | None = None,
) -> dict[int, list[dict[str, Any]]]:
    """For the report: per department, what it shared in the window, oldest first."""
    conditions = [WeeklySharedUpdate.created_at >= since, WeeklySharedUpdate.created_at <= until]
    if team_id is not None:
        conditions.append(WeeklySharedUpdate.team_id == team_id)
    if department_ids is not None:
        conditions.append(WeeklySharedUpdate.department_id.in_(sorted(department_ids)))
    shared: dict[int, list[dict[str, Any]]] = {}
    for row in session.scalars(
        select(WeeklySharedUpdate)
        .where(*conditions)
        .order_by(WeeklySharedUpdate.created_at, WeeklySharedUpdate.id)
    ):
        shared.setdefault(row.department_id, []).append(
            {
                "text": row.text,
                "shared_at": row.created_at.isoformat(),
                "shared_by": row.author_id,
                "answers_week": row.result_week,
                "shown_in_week": row.shown_week,
            }
        )
    return shared
