"""The jobs of a wait on the requester, enqueued and cancelled in the transaction that starts or
ends it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from bot import jobs
from bot.business_time import WallClock, parse_duration
from bot.requests.rules import RequestJob, RequestSnapshot

WAITING_JOBS = (RequestJob.NUDGE, RequestJob.CLOSE_UNANSWERED)


def _key(kind: RequestJob, request_id: int) -> str:
    return f"{kind}:{request_id}:"


def due_after(request: RequestSnapshot, delay: str | None, since: datetime) -> datetime | None:
    """When `delay` of the department's working time after `since` has passed."""
    if delay is None:
        return None
    calendar = request.department.calendar or WallClock()
    return calendar.add(since, parse_duration(delay, calendar))


def schedule(session: Session, *, request: RequestSnapshot, now: datetime) -> None:
    """The nudge and the closing the department asks for, keyed by this wait (the request's
    version as it began)."""
    department = request.department
    for kind, delay in (
        (RequestJob.NUDGE, department.stale_after),
        (RequestJob.CLOSE_UNANSWERED, department.auto_close_after),
    ):
        at = due_after(request, delay, now)
        if at is None:
            continue
        jobs.enqueue(
            session=session,
            team_id=request.team_id,
            kind=kind,
            unique_key=f"{_key(kind, request.id)}{request.version}",
            due_at=at,
            now=now,
            payload={"request_id": request.id, "version": request.version},
        )


def cancel(session: Session, *, request_id: int, now: datetime) -> None:
    for kind in WAITING_JOBS:
        jobs.cancel_all(session=session, key_prefix=_key(kind, request_id), now=now)
