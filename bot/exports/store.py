"""Requests read for an export, a batch at a time, however many there are."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.exports.rules import StoredRequest
from models import Department, Rating, Request

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
