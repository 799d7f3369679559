"""What people ask for through Slack, made durable before Slack is answered.

Each listener's ack writes what was asked (the payload) as a job in one short transaction,
and only then answers Slack: a process killed after the ack loses nothing, since the job is
still there when a runner next ticks. In the normal case the job runs at once, on these
workers rather than on the HTTP threads, so a slow Web API never delays an ack. The rows are
deleted once done: they carry people's words.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bot import jobs
from bot.clock import Clock
from bot.db import SessionFactory
from bot.job_runner import JobRunner
from bot.jobs import JobHandler, JobSnapshot

logger = logging.getLogger(__name__)

KIND_PREFIX = "slack."


@dataclass(frozen=True)
class Accepted:
    job: JobSnapshot
    # The lease this process holds on it, and when that runs out.
    token: str
    leased_until: datetime


class Intake:
    def __init__(
        self,
        *,
        session_factory: SessionFactory,
        clock: Clock,
        runner: JobRunner,
        workers: Executor,
        lease: timedelta,
    ) -> None:
        """A job is run at once by the process that took it, which holds it for `lease`
        (JOBS_LEASE_SECONDS): only if that process dies does a runner's tick take it up,
        once the lease has run out."""
        self._sessions = session_factory
        self._clock = clock
        self._runner = runner
        self._workers = workers
        self._lease = lease

    def register(self, name: str, handler: JobHandler) -> str:
        """The kind of job for one listener; its rows are deleted once done."""
        kind = f"{KIND_PREFIX}{name}"
        self._runner.add_handler(kind, handler, keep_when_done=False)
        return kind

    def accept(self, *, kind: str, team_id: str, body: dict[str, Any]) -> Accepted:
        """Write what was asked, durably, leased to this process to run at once. Each
        delivery is its own job: a repeated one (a retried event, a double submission) is
        made harmless by the flows' own idempotency keys, and answered like the first."""
        now = self._clock.now()
        with self._sessions.begin() as session:
            job, token = jobs.add_claimed(
                session=session,
                team_id=team_id,
                kind=kind,
                payload={"body": body},
                now=now,
                lease=self._lease,
            )
        return Accepted(job, token, now + self._lease)

    def waited(self, job: JobSnapshot) -> timedelta:
        """How long ago the job was accepted (a response_url lasts 30 minutes)."""
        return self._clock.now() - (job.created_at or self._clock.now())

    def run_unkept(self, work: Callable[[], None]) -> None:
        """Work with nothing to keep (opening a form, reading): on the workers, no job."""
        self._workers.submit(work)

    def run_soon(self, accepted: Accepted) -> None:
        """Run the job on the workers; if this process dies first, a tick runs it later."""
        self._workers.submit(self._run, accepted)

    def _run(self, accepted: Accepted) -> None:
        try:
            self._runner.run_claimed(
                accepted.job, accepted.token, leased_until=accepted.leased_until
            )
        except Exception:
            # The job stays in the table: a tick takes it up when its lease runs out.
            logger.exception("intake.run_failed", extra={"job_id": accepted.job.id})
