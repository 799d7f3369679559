"""Durable scheduled work: rows in `jobs`, claimed atomically and run by whoever ticks.

A job is enqueued in the same transaction as the change that calls for it, so it exists
exactly when that change does. Any number of runners (threads, `serve` processes, a cron
`jobs run-due`) may tick at once: the due rows are locked (`FOR UPDATE SKIP LOCKED` on
PostgreSQL; SQLite serialises writers) and marked running in one transaction. A claim is a
lease, renewed as each job of the batch starts, so the work of a runner killed mid-job is
taken up again when its lease runs out. That makes a job's effects at-least-once: a runner
that dies after Slack accepted a message but before recording it sends it again.

A handler's 429 puts that job and the rest of the batch back until Slack's Retry-After,
uncounted; any other failure is retried with backoff, and after the last attempt the job
is recorded as failed and logged, never dropped silently.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import case, delete, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.db import compare_and_set
from models import Job

LEASE = timedelta(minutes=5)


KEEP_FINISHED_JOBS = timedelta(days=30)


class JobState(StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class JobSnapshot:
    id: int
    team_id: str
    kind: str
    payload: dict[str, Any]
    unique_key: str
    state: JobState
    due_at: datetime
    attempts: int
    last_error: str | None
    created_at: datetime | None = None


class RunLater(Exception):
    """Raised by a handler whose job cannot run yet (outside working hours, say): the job is
    put back until `until` without counting an attempt."""

    def __init__(self, until: datetime, reason: str) -> None:
        super().__init__(reason)
        self.until = until
        self.reason = reason


JobHandler = Callable[[JobSnapshot], None]


def _snapshot(job: Job) -> JobSnapshot:
    return JobSnapshot(
        id=job.id,
        team_id=job.team_id,
        kind=job.kind,
        payload=dict(job.payload),
        unique_key=job.unique_key,
        state=JobState(job.state),
        due_at=job.due_at,
        attempts=job.attempts,
        last_error=job.last_error,
        created_at=job.created_at,
    )


def enqueue(
    *,
    session: Session,
    team_id: str,
    kind: str,
    unique_key: str,
    due_at: datetime,
    now: datetime,
    payload: dict[str, Any] | None = None,
) -> JobSnapshot:
    """Add a job once per `unique_key`; enqueueing the same key again returns the first."""
    existing = session.scalar(select(Job).where(Job.unique_key == unique_key))
    if existing is not None:
        return _snapshot(existing)
    job = Job(
        team_id=team_id,
        kind=kind,
        payload=payload or {},
        unique_key=unique_key,
        state=JobState.PENDING.value,
        due_at=due_at,
        attempts=0,
        created_at=now,
        updated_at=now,
    )
    try:
        with session.begin_nested():
            session.add(job)
            session.flush()
    except IntegrityError:
        winner = session.scalar(select(Job).where(Job.unique_key == unique_key))
        if winner is None:
            raise
        return _snapshot(winner)
    return _snapshot(job)


@dataclass(frozen=True)
class NewJob:
    team_id: str
    kind: str
    payload: dict[str, Any]


def add_claimed(
    *, session: Session, new: Sequence[NewJob], now: datetime, lease: timedelta
) -> list[tuple[JobSnapshot, str]]:
    """New jobs, already leased to the caller, who runs them at once: one write instead of an
    insert and a claim, and one statement for them all. Should the caller die, they are
    claimable when the lease runs out."""
    tokens = [uuid.uuid4().hex for _ in new]
    rows = [
        Job(
            team_id=job.team_id,
            kind=job.kind,
            payload=job.payload,
            unique_key=f"{job.kind}:{token}",
            state=JobState.RUNNING.value,
            due_at=now,
            attempts=0,
            locked_until=now + lease,
            claim_token=token,
            created_at=now,
            updated_at=now,
        )
        for job, token in zip(new, tokens, strict=True)
    ]
    session.add_all(rows)
    session.flush()
    return [(_snapshot(row), token) for row, token in zip(rows, tokens, strict=True)]


def cancel(*, session: Session, unique_key: str, now: datetime) -> bool:
    """Cancel a job that has not started; True if there was one to cancel."""
    return compare_and_set(
        session,
        Job,
        Job.unique_key == unique_key,
        Job.state == JobState.PENDING.value,
        state=JobState.CANCELLED.value,
        updated_at=now,
        finished_at=now,
    )


def cancel_all(*, session: Session, key_prefix: str, now: datetime) -> int:
    """Cancel every job not yet started whose unique key starts with `key_prefix`."""
    result = session.execute(
        update(Job)
        .where(
            Job.unique_key.startswith(key_prefix, autoescape=True),
            Job.state == JobState.PENDING.value,
        )
        .values(state=JobState.CANCELLED.value, updated_at=now, finished_at=now)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def take(
    *, session: Session, unique_key: str, now: datetime, lease: timedelta = LEASE
) -> tuple[JobSnapshot, str] | None:
    """Lease a pending job to the caller ahead of its time, to do its work now; None if it
    is not pending any more (a runner has it, or it is finished)."""
    token = uuid.uuid4().hex
    taken = compare_and_set(
        session,
        Job,
        Job.unique_key == unique_key,
        Job.state == JobState.PENDING.value,
        state=JobState.RUNNING.value,
        locked_until=now + lease,
        claim_token=token,
        updated_at=now,
    )
    if not taken:
        return None
    job = session.scalars(select(Job).where(Job.unique_key == unique_key)).one()
    return _snapshot(job), token


def clear_payload(*, session: Session, job_id: int) -> None:
    """Keep a finished job's row (its unique key still stops a second one) without what it
    carried: people's words are not for keeping."""
    session.execute(update(Job).where(Job.id == job_id).values(payload={}))


def forget_finished(*, session: Session, now: datetime) -> int:
    """Delete done and cancelled jobs after a while; failed ones stay as a record."""
    result = session.execute(
        delete(Job).where(
            Job.state.in_([JobState.DONE.value, JobState.CANCELLED.value]),
            Job.finished_at < now - KEEP_FINISHED_JOBS,
        )
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def list_jobs(*, session: Session, states: tuple[JobState, ...]) -> list[JobSnapshot]:
    rows = session.scalars(
        select(Job).where(Job.state.in_([s.value for s in states])).order_by(Job.due_at, Job.id)
    )
    return [_snapshot(job) for job in rows]


def _claimable(now: datetime) -> Any:
    return or_(
        (Job.state == JobState.PENDING.value) & (Job.due_at <= now),
        (Job.state == JobState.RUNNING.value) & (Job.locked_until < now),
    )


def claim_due(
    *,
    session: Session,
    now: datetime,
    limit: int,
    lease: timedelta = LEASE,
) -> tuple[str, list[JobSnapshot]]:
    """Lease up to `limit` due jobs to the caller, oldest due first.

    The due rows are selected and locked first, then updated by id: an UPDATE with the
    LIMITed subquery inline lets PostgreSQL re-run that subquery and claim past the limit.
    """
    token = uuid.uuid4().hex
    due_ids = list(
        session.scalars(
            select(Job.id)
            .where(_claimable(now))
            .order_by(Job.due_at, Job.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    )
    if not due_ids:
        return token, []
    claimed = session.scalars(
        update(Job)
        .where(Job.id.in_(due_ids), _claimable(now))
        .values(
            state=JobState.RUNNING.value,
            locked_until=now + lease,
            claim_token=token,
            updated_at=now,
            # A lease that ran out means its runner died with the job, which counts as an
            # attempt: a job that kills its process every time must not run forever.
            attempts=case(
                (Job.state == JobState.RUNNING.value, Job.attempts + 1), else_=Job.attempts
            ),
        )
        .returning(Job)
        .execution_options(synchronize_session=False)
    ).all()
    ordered = sorted(claimed, key=lambda job: (job.due_at, job.id))
    return token, [_snapshot(job) for job in ordered]


def update_held(
    session: Session, job: JobSnapshot, token: str, now: datetime, **values: Any
) -> bool:
    """Update a job only while the caller still holds the lease it claimed with."""
    return compare_and_set(
        session,
        Job,
        Job.id == job.id,
        Job.claim_token == token,
        Job.state == JobState.RUNNING.value,
        updated_at=now,
        **values,
    )


def forget(session: Session, job: JobSnapshot, token: str) -> bool:
    """Delete a done job, if the caller still holds its lease."""
    result = session.execute(
        delete(Job).where(
            Job.id == job.id, Job.claim_token == token, Job.state == JobState.RUNNING.value
        )
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def finish(session: Session, job: JobSnapshot, token: str, now: datetime, **values: Any) -> bool:
    """Record an outcome and release the lease, if the caller still holds it."""
    return update_held(session, job, token, now, locked_until=None, claim_token=None, **values)
