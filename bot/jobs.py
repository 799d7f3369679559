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

import logging
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from slack_sdk.errors import SlackApiError
from sqlalchemy import case, delete, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.clock import Clock
from bot.db import SessionFactory
from models import Job

logger = logging.getLogger(__name__)

LEASE = timedelta(minutes=5)
KEEP_FINISHED_JOBS = timedelta(days=30)
BATCH_SIZE = 20
# With the backoff below, the last of 8 attempts comes about an hour after the first: a
# short Slack outage delays work, it does not fail it.
MAX_ATTEMPTS = 8
BACKOFF_BASE = timedelta(seconds=30)
BACKOFF_MAX = timedelta(hours=1)
# Past this many doublings the delay is far beyond BACKOFF_MAX anyway.
MAX_DOUBLINGS = 20
DEFAULT_RETRY_AFTER = timedelta(seconds=30)
ERROR_TEXT_MAX = 1000
MIN_DEFERRAL = timedelta(seconds=1)
# A tick stops after this many batches so one run never holds its thread for long.
MAX_BATCHES_PER_RUN = 50


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


def cancel(*, session: Session, unique_key: str, now: datetime) -> bool:
    """Cancel a job that has not started; True if there was one to cancel."""
    result = session.execute(
        update(Job)
        .where(Job.unique_key == unique_key, Job.state == JobState.PENDING.value)
        .values(state=JobState.CANCELLED.value, updated_at=now, finished_at=now)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


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
    *, session: Session, now: datetime, limit: int, lease: timedelta = LEASE
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


def _update_held(
    session: Session, job: JobSnapshot, token: str, now: datetime, **values: Any
) -> bool:
    """Update a job only while the caller still holds the lease it claimed with."""
    result = session.execute(
        update(Job)
        .where(
            Job.id == job.id,
            Job.claim_token == token,
            Job.state == JobState.RUNNING.value,
        )
        .values(updated_at=now, **values)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def _finish(session: Session, job: JobSnapshot, token: str, now: datetime, **values: Any) -> bool:
    """Record an outcome and release the lease, if the caller still holds it."""
    return _update_held(session, job, token, now, locked_until=None, claim_token=None, **values)


def backoff(attempts: int) -> timedelta:
    """30 s after the first failed attempt, doubling after each further one, at most an hour."""
    doublings = min(max(attempts - 1, 0), MAX_DOUBLINGS)
    delay: timedelta = BACKOFF_BASE * 2**doublings
    return min(delay, BACKOFF_MAX)


def retry_after(error: SlackApiError) -> timedelta:
    headers = getattr(error.response, "headers", None) or {}
    value = next((v for k, v in headers.items() if k.lower() == "retry-after"), None)
    if isinstance(value, list):
        value = value[0] if value else None
    try:
        return timedelta(seconds=max(int(str(value)), 1))
    except (TypeError, ValueError):
        return DEFAULT_RETRY_AFTER


def is_rate_limited(error: Exception) -> bool:
    """Slack answered 429: the caller should wait for Retry-After, not count a failure."""
    if not isinstance(error, SlackApiError):
        return False
    return getattr(error.response, "status_code", None) == 429


def describe_error(error: Exception) -> str:
    """One line for `jobs` and the log: Slack's error code rather than the SDK's preamble."""
    if isinstance(error, SlackApiError):
        code = error.response.get("error") if error.response is not None else None
        status = getattr(error.response, "status_code", None)
        return f"Slack answered {code or 'an error'} (HTTP {status})"
    return f"{type(error).__name__}: {error}"


@dataclass
class RunSummary:
    done: int = 0
    retrying: int = 0
    deferred: int = 0
    failed: int = 0
    # Set when Slack answered 429: nothing more is tried before this time.
    rate_limited_until: datetime | None = None

    @property
    def ran(self) -> int:
        return self.done + self.retrying + self.failed


class JobRunner:
    """Runs due jobs with the handler registered for their kind."""

    def __init__(
        self,
        *,
        session_factory: SessionFactory,
        clock: Clock,
        handlers: Mapping[str, JobHandler],
        give_up: Mapping[str, Callable[[JobSnapshot, str], None]] | None = None,
        batch_size: int = BATCH_SIZE,
        max_attempts: int = MAX_ATTEMPTS,
        lease: timedelta = LEASE,
    ) -> None:
        self._sessions = session_factory
        self._clock = clock
        self._handlers = dict(handlers)
        self._give_up = dict(give_up or {})
        self._batch_size = batch_size
        self._max_attempts = max_attempts
        self._lease = lease

    def run_due(self) -> RunSummary:
        """Run everything due now, batch after batch, until nothing due is left or Slack
        asks to slow down."""
        summary = RunSummary()
        for _ in range(MAX_BATCHES_PER_RUN):
            with self._sessions.begin() as session:
                token, jobs = claim_due(
                    session=session,
                    now=self._clock.now(),
                    limit=self._batch_size,
                    lease=self._lease,
                )
            if not jobs:
                break
            for job in jobs:
                if summary.rate_limited_until is not None:
                    self._put_back(job, token, until=summary.rate_limited_until, summary=summary)
                else:
                    self._run_one(job, token, summary)
            if summary.rate_limited_until is not None:
                break
        if summary.ran or summary.deferred:
            logger.info(
                "jobs.ran",
                extra={
                    "done": summary.done,
                    "retrying": summary.retrying,
                    "deferred": summary.deferred,
                    "failed": summary.failed,
                },
            )
        return summary

    def _run_one(self, job: JobSnapshot, token: str, summary: RunSummary) -> None:
        if not self._renew_lease(job, token):
            self._lease_lost(job)
            return
        if job.attempts >= self._max_attempts:
            # Its runners died with it every time (see claim_due): not one more try.
            error = RuntimeError(f"the process running it stopped {job.attempts} times")
            self._record_failure(job, token, error, summary, counted=True)
            return
        handler = self._handlers.get(job.kind)
        try:
            if handler is None:
                raise LookupError(f"no handler for job kind {job.kind!r}")
            handler(job)
        except RunLater as later:
            self._put_back(job, token, until=later.until, summary=summary)
            logger.info(
                "job.deferred",
                extra={"job_id": job.id, "kind": job.kind, "reason": later.reason},
            )
            return
        except Exception as error:
            if isinstance(error, SlackApiError) and is_rate_limited(error):
                until = self._clock.now() + retry_after(error)
                summary.rate_limited_until = until
                self._put_back(job, token, until=until, summary=summary)
                logger.warning(
                    "job.rate_limited",
                    extra={"job_id": job.id, "kind": job.kind, "retry_at": until.isoformat()},
                )
                return
            self._record_failure(job, token, error, summary)
            return
        with self._sessions.begin() as session:
            now = self._clock.now()
            finished = _finish(session, job, token, now, state=JobState.DONE.value, finished_at=now)
        if not finished:
            self._lease_lost(job)
            return
        summary.done += 1

    def _renew_lease(self, job: JobSnapshot, token: str) -> bool:
        """A fresh lease for the job about to run, so a long batch never runs a job whose
        lease another runner could already have taken over; False if that happened."""
        now = self._clock.now()
        with self._sessions.begin() as session:
            return _update_held(session, job, token, now, locked_until=now + self._lease)

    def _lease_lost(self, job: JobSnapshot) -> None:
        # The job outran its lease and another runner has it now: that runner records it.
        logger.warning("job.lease_lost", extra={"job_id": job.id, "kind": job.kind})

    def _put_back(
        self, job: JobSnapshot, token: str, *, until: datetime, summary: RunSummary
    ) -> None:
        now = self._clock.now()
        # Never due again at once: that would spin this run on the same job.
        due_at = max(until, job.due_at, now + MIN_DEFERRAL)
        with self._sessions.begin() as session:
            _finish(session, job, token, now, state=JobState.PENDING.value, due_at=due_at)
        summary.deferred += 1

    def _record_failure(
        self,
        job: JobSnapshot,
        token: str,
        error: Exception,
        summary: RunSummary,
        *,
        counted: bool = False,
    ) -> None:
        attempts = job.attempts if counted else job.attempts + 1
        message = describe_error(error)[:ERROR_TEXT_MAX]
        now = self._clock.now()
        extra = {"job_id": job.id, "kind": job.kind, "attempts": attempts}
        if attempts >= self._max_attempts:
            logger.error("job.failed", exc_info=error, extra=extra)
            with self._sessions.begin() as session:
                finished = _finish(
                    session,
                    job,
                    token,
                    now,
                    state=JobState.FAILED.value,
                    attempts=attempts,
                    last_error=message,
                    finished_at=now,
                )
            if not finished:
                self._lease_lost(job)
                return
            give_up = self._give_up.get(job.kind)
            if give_up is not None:
                give_up(job, message)
            summary.failed += 1
            return
        logger.warning("job.retrying", exc_info=error, extra=extra)
        with self._sessions.begin() as session:
            _finish(
                session,
                job,
                token,
                now,
                state=JobState.PENDING.value,
                attempts=attempts,
                last_error=message,
                due_at=now + backoff(attempts),
            )
        summary.retrying += 1
