"""What people ask for through Slack, made durable before Slack is answered.

Each listener's ack writes what was asked (the payload) as a job in one short transaction,
and only then answers Slack: a process killed after the ack loses nothing, since the job is
still there when a runner next ticks. In the normal case the job runs at once, on these
workers rather than on the HTTP threads, so a slow Web API never delays an ack. The rows are
deleted once done: they carry people's words.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from concurrent.futures import Executor
from datetime import timedelta
from typing import Any

from bot import jobs
from bot.clock import Clock
from bot.db import SessionFactory
from bot.job_runner import JobRunner
from bot.jobs import JobHandler, JobSnapshot

logger = logging.getLogger(__name__)

KIND_PREFIX = "slack."
# A job is run at once by the process that took it; only if that process dies is it due for
# any runner's tick, this long after.
RECOVER_AFTER = timedelta(minutes=1)


class Intake:
    def __init__(
        self,
        *,
        session_factory: SessionFactory,
        clock: Clock,
        runner: JobRunner,
        workers: Executor,
    ) -> None:
        self._sessions = session_factory
        self._clock = clock
        self._runner = runner
        self._workers = workers

    def register(self, name: str, handler: JobHandler) -> str:
        """The kind of job for one listener; its rows are deleted once done."""
        kind = f"{KIND_PREFIX}{name}"
        self._runner.add_handler(kind, handler, keep_when_done=False)
        return kind

    def accept(self, *, kind: str, team_id: str, body: dict[str, Any]) -> JobSnapshot:
        """Write what was asked, durably. Each delivery is its own job: a repeated one (a
        retried event, a double submission) is made harmless by the flows' own idempotency
        keys, and answered like the first."""
        now = self._clock.now()
        with self._sessions.begin() as session:
            return jobs.enqueue(
                session=session,
                team_id=team_id,
                kind=kind,
                unique_key=f"{KIND_PREFIX}{uuid.uuid4().hex}",
                due_at=now + RECOVER_AFTER,
                now=now,
                payload={"body": body},
            )

    def waited(self, job: JobSnapshot) -> timedelta:
        """How long ago the job was accepted (a response_url lasts 30 minutes)."""
        return self._clock.now() - (job.created_at or self._clock.now())

    def recover(self) -> int:
        """At start: what a process that died had taken but not run is due at once (what it
        was running is taken up when its lease runs out)."""
        now = self._clock.now()
        with self._sessions.begin() as session:
            return jobs.make_due(session=session, kind_prefix=KIND_PREFIX, now=now)

    def run_unkept(self, work: Callable[[], None]) -> None:
        """Work with nothing to keep (opening a form, reading): on the workers, no job."""
        self._workers.submit(work)

    def run_soon(self, job: JobSnapshot) -> None:
        """Run the job on the workers; if this process dies first, a tick runs it later."""
        self._workers.submit(self._run, job.id)

    def _run(self, job_id: int) -> None:
        try:
            self._runner.run_now(job_id)
        except Exception:
            # The job stays in the table: the next tick tries it again.
            logger.exception("intake.run_failed", extra={"job_id": job_id})
