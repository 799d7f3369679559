"""The weekly pulse's part of a report, read from the database: per department, the final
weeks' answers within the anonymity rule, and the newest round's participation."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.calendar import Week
from bot.metrics import round_half_up
from bot.weekly import store as weekly_store
from bot.weekly.rules import (
    IcsqArea,
    QuestionKind,
    RoundSnapshot,
    WeeklyAnswerRow,
    WeeklyResults,
    results_final_at,
    weekly_results,
)
from models import WeeklyAnswer, WeeklyComment, WeeklyRound


def final_weeks(session: Session, *, since: datetime, now: datetime) -> list[str]:
    """The weeks from `since` to `now` whose results can no longer change: past their last
    answer (see results_final_at), with no answer still pending."""
    first, last = Week.of(since.date()), Week.of(now.date())
    spanned = (
        Week(first.monday + timedelta(days=7 * n))
        for n in range((last.monday - first.monday).days // 7 + 1)
    )
    final = [week.key for week in spanned if results_final_at(week) <= now]
    waiting = weekly_store.weeks_with_pending(session=session, weeks=final)
    return [week for week in final if week not in waiting]


def department_results(
    session: Session,
    *,
    since: datetime,
    now: datetime,
    minimum: int,
    team_id: str | None,
    department_ids: Collection[int] | None,
) -> dict[int, WeeklyResults]:
    """Per department, over the weeks the window touches that are final (see Week.final_at),
    in one workspace or all, for some departments or all."""
    weeks = final_weeks(session, since=since, now=now)
    scope: list[Any] = []
    comment_scope: list[Any] = []
    if team_id is not None:
        scope.append(WeeklyAnswer.team_id == team_id)
        comment_scope.append(WeeklyComment.team_id == team_id)
    if department_ids is not None:
        scope.append(WeeklyAnswer.department_id.in_(sorted(department_ids)))
        comment_scope.append(WeeklyComment.department_id.in_(sorted(department_ids)))
    # Counted by the database: the answers of a window run to hundreds of thousands, their
    # distinct scores per department and week to a few hundred.
    answered = (
        WeeklyAnswer.department_id,
        WeeklyAnswer.week,
        WeeklyAnswer.kind,
        WeeklyAnswer.area,
        WeeklyAnswer.score,
    )
    rows = session.execute(
        select(*answered, func.count())
        .where(WeeklyAnswer.week.in_(weeks), WeeklyAnswer.department_id.is_not(None), *scope)
        .group_by(*answered)
    )
    answers: dict[int, list[WeeklyAnswerRow]] = defaultdict(list)
    for department_id, week, kind, area, score, count in rows:
        if department_id is None:
            continue
        answers[department_id].append(
            WeeklyAnswerRow(
                week, QuestionKind(kind), IcsqArea(area) if area else None, score, int(count)
            )
        )
    comments: dict[int, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    # Ordered by their random ids, so the order says nothing about who wrote first.
    for department_id, week, text in session.execute(
        select(WeeklyComment.department_id, WeeklyComment.week, WeeklyComment.text)
        .where(
            WeeklyComment.week.in_(weeks), WeeklyComment.department_id.is_not(None), *comment_scope
        )
        .order_by(WeeklyComment.id)
    ):
        if department_id is not None:
            comments[department_id][week].append(text)
    return {
        department_id: weekly_results(
            rows_, minimum=minimum, comments_by_week=comments.get(department_id, {})
        )
        for department_id, rows_ in answers.items()
    }


def last_round(session: Session, *, now: datetime, team_id: str | None) -> dict[str, Any]:
    """The newest round that has begun: how many were sent it and how many answered."""
    current = Week.of(now.date()).key
    conditions = [WeeklyRound.week <= current]
    if team_id is not None:
        conditions.append(WeeklyRound.team_id == team_id)
    round_ = session.scalars(
        select(WeeklyRound).where(*conditions).order_by(WeeklyRound.week.desc()).limit(1)
    ).first()
    if round_ is None:
        return {"week": None, "sent": 0, "answered": 0, "response_rate": None}
    progress = weekly_store.round_progress(
        session=session,
        round_=RoundSnapshot(round_.id, round_.team_id, Week.parse(round_.week)),
    )
    rate = round_half_up(100 * progress.answered / progress.sent) if progress.sent else None
    return {
        "week": round_.week,
        "sent": progress.sent,
        "answered": progress.answered,
        "response_rate": rate,
    }
