"""Running due jobs: claim a batch, run each with the handler of its kind, record the outcome.

A handler's 429 puts that job and the rest of the batch back until Slack's Retry-After,
uncounted; any other failure is retried with backoff, and after the last attempt the job
is recorded as failed and logged, never dropped silently.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from slack_sdk.errors import SlackApiError

from bot.clock import Clock
from bot.db import SessionFactory
from bot.jobs import (
    LEASE,
    JobHandler,
    JobSnapshot,
    JobState,
    RunLater,
    claim_due,
    finish,
    forget,
    update_held,
)
from bot.slack_client import describe_error, is_rate_limited, retry_after

logger = logging.getLogger(__name__)

BATCH_SIZE = 20


# With the backoff below, the last of 8 attempts comes about an hour after the first: a
# short Slack outage delays work, it does not fail it.
MAX_ATTEMPTS = 8


BACKOFF_BASE = timedelta(seconds=30)


BACKOFF_MAX = timedelta(hours=1)


# Past this many doublings the delay is far beyond BACKOFF_MAX anyway.
MAX_DOUBLINGS = 20


ERROR_TEXT_MAX = 1000


MIN_DEFERRAL = timedelta(seconds=1)


# A tick stops after this many batches so one run never holds its thread for long.
MAX_BATCHES_PER_RUN = 50


def backoff(attempts: int) -> timedelta:
    """30 s after the first failed attempt, doubling after each further one, at most an hour."""
    doublings = min(max(attempts - 1, 0), MAX_DOUBLINGS)
    delay: timedelta = BACKOFF_BASE * 2**doublings
    return min(delay, BACKOFF_MAX)


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
        # Kinds whose rows are deleted once done rather than kept as a record: what they
        # carry (people's payloads) is not for keeping.
        self._forget_when_done: set[str] = set()
        self._give_up = dict(give_up or {})
        self._batch_size = batch_size
        self._max_attempts = max_attempts
        self._lease = lease

    def add_handler(self, kind: str, handler: JobHandler, *, keep_when_done: bool = True) -> None:
        self._handlers[kind] = handler
        if not keep_when_done:
            self._forget_when_done.add(kind)

    def run_claimed(self, job: JobSnapshot, token: str, *, leased_until: datetime) -> RunSummary:
        """Run a job the caller added already leased (`jobs.add_claimed`), on its thread. One
        that waited so long for a thread that less than half its lease is left renews it
        first, or leaves it to the runner that took it over once the lease ran out."""
        summary = RunSummary()
        fresh = self._clock.now() <= leased_until - self._lease / 2
        self._run_one(job, token, summary, fresh=fresh)
        return summary

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

    def _run_one(
        self, job: JobSnapshot, token: str, summary: RunSummary, *, fresh: bool = False
    ) -> None:
        # A lease taken a moment ago needs no renewal: that write would only slow it down.
        if not fresh and not self._renew_lease(job, token):
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
            if job.kind in self._forget_when_done:
                finished = forget(session, job, token)
            else:
                finished = finish(
                    session, job, token, now, state=JobState.DONE.value, finished_at=now
                )
        if not finished:
            self._lease_lost(job)
            return
        summary.done += 1

    def _renew_lease(self, job: JobSnapshot, token: str) -> bool:
        """A fresh lease for the job about to run, so a long batch never runs a job whose
        lease another runner could already have taken over; False if that happened."""
        now = self._clock.now()
        with self._sessions.begin() as session:
            return update_held(session, job, token, now, locked_until=now + self._lease)

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
            finish(session, job, token, now, state=JobState.PENDING.value, due_at=due_at)
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
                finished = finish(
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
            finish(
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
