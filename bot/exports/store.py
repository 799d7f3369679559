"""Requests read for an export, a batch at a time, however many there are."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.exports.rules import StoredRequest
from bot.weekly.rules import IcsqArea, QuestionKind, WeeklyAnswerRow
from models import Department, Rating, Request, WeeklyAnswer

# Rows fetched from the database at a time: memory holds a batch, never the export.
BATCH = 1000


def requests_filed(
    *, session: Session, since: datetime, until: datetime
) -> Iterator[StoredRequest]:
    """Every request filed in [since, until), oldest first, streamed from the database."""
    query = (
        select(
            Request.id,
            Department.key.label("department"),
            Department.name.label("department_name"),
            Request.status,
            Request.urgency,
            Request.private,
            Request.requester_id,
            Request.filed_by_id,
            Request.assignee_id,
            Request.closed_by_id,
            Request.text,
            Request.created_at,
            Request.first_response_at,
            Request.resolved_at,
            Request.first_response_due_at,
            Request.resolution_due_at,
            Request.waiting_since,
            Request.paused_seconds,
            Rating.score.label("rating"),
            Request.source_permalink,
            Request.first_response_business_seconds,
            Request.resolution_business_seconds,
            Request.answers,
        )
        .join(Department, Department.id == Request.department_id)
        .outerjoin(Rating, Rating.request_id == Request.id)
        .where(Request.created_at >= since, Request.created_at < until)
        .order_by(Request.created_at, Request.id)
        .execution_options(yield_per=BATCH)
    )
    for row in session.execute(query):
        fields = row._asdict()
        yield StoredRequest(**{**fields, "answers": list(fields["answers"] or ())})


def question_keys(*, session: Session) -> list[str]:
    """The keys of every department's questions as the departments file has them now, in the
    order the file gives them."""
    keys: list[str] = []
    for fields in session.scalars(select(Department.fields).order_by(Department.id)):
        for field in fields or ():
            key = str(field.get("key", ""))
            if key and key not in keys:
                keys.append(key)
    return keys


def pulse_answers(
    *, session: Session, weeks: Sequence[str]
) -> Iterator[tuple[int, str, str, WeeklyAnswerRow]]:
    """Every weekly answer about a department in `weeks`: its department's id, key and name,
    and the answer, by week and department."""
    rows = session.execute(
        select(
            Department.id,
            Department.key,
            Department.name,
            WeeklyAnswer.week,
            WeeklyAnswer.kind,
            WeeklyAnswer.area,
            WeeklyAnswer.score,
        )
        .join(Department, Department.id == WeeklyAnswer.department_id)
        .where(WeeklyAnswer.week.in_(weeks))
        .order_by(WeeklyAnswer.week, Department.id)
        .execution_options(yield_per=BATCH)
    )
    for department_id, key, name, week, kind, area, score in rows:
        answer = WeeklyAnswerRow(week, QuestionKind(kind), IcsqArea(area) if area else None, score)
        yield department_id, key, name, answer
