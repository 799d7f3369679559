"""What people ask for through Slack, made durable before Slack is answered.

Each listener's ack writes what was asked (the payload) as a job in one short transaction,
and only then answers Slack: a process killed after the ack loses nothing, since the job is
still there when a runner next ticks. In the normal case the job runs at once, on these
workers rather than on the HTTP threads, so a slow Web API never delays an ack. The rows are
deleted once done: they carry people's words.

Acks that arrive together are written together: one of them writes every job waiting at that
moment in one transaction (a group commit), so a burst costs a few commits rather than one per
ack, each queued behind the last. SQLite admits one writer at a time, and under a burst the
queue of single-row commits, not the rows, was what made acks late.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from bot import jobs
from bot.clock import Clock
from bot.db import URGENT_WRITE_OPTION, SessionFactory
from bot.job_runner import JobRunner
from bot.jobs import JobHandler, JobSnapshot, NewJob

# A bound on one group commit, so its transaction stays short whatever the burst.
GROUP_COMMIT_LIMIT = 200

logger = logging.getLogger(__name__)

KIND_PREFIX = "slack."


@dataclass(frozen=True)
class Accepted:
    job: JobSnapshot
    # The lease this process holds on it, and when that runs out.
    token: str
    leased_until: datetime


class _Waiting:
    def __init__(self, asked: NewJob) -> None:
        self.asked = asked
        self.accepted: Accepted | None = None
        self.error: BaseException | None = None

    @property
    def done(self) -> bool:
        return self.accepted is not None or self.error is not None


class GroupCommit:
    """Writes what many threads ask at once in one transaction. There is no writer thread:
    the first caller to find no write under way writes everything waiting, the others wait
    for it, and a caller whose job was not in that write leads the next one."""

    def __init__(self, write: Callable[[list[NewJob]], list[Accepted]]) -> None:
        self._write = write
        self._changed = threading.Condition()
        self._waiting: list[_Waiting] = []
        self._writing = False

    def submit(self, asked: NewJob) -> Accepted:
        mine = _Waiting(asked)
        with self._changed:
            self._waiting.append(mine)
        while not mine.done:
            group = self._lead_or_wait(mine)
            if group:
                self._lead(group)
        if mine.error is not None:
            raise mine.error
        assert mine.accepted is not None
        return mine.accepted

    def _lead_or_wait(self, mine: _Waiting) -> list[_Waiting]:
        """What this caller is to write as the next leader, or nothing once its own job is
        written (by itself or by another leader). Every caller not done is still waiting
        in line, so a leader's group is never empty."""
        with self._changed:
            while self._writing and not mine.done:
                self._changed.wait()
            if mine.done:
                return []
            group = self._waiting[:GROUP_COMMIT_LIMIT]
            del self._waiting[:GROUP_COMMIT_LIMIT]
            self._writing = True
            return group

    def _lead(self, group: list[_Waiting]) -> None:
        try:
            self._write_group(group)
        except BaseException as error:
            # Whatever stopped this write, no one in its group may wait for it for ever.
            for waiting in group:
                if not waiting.done:
                    waiting.error = error
            raise
        finally:
            with self._changed:
                self._writing = False
                self._changed.notify_all()

    def _write_group(self, group: list[_Waiting]) -> None:
        try:
            written = self._write([waiting.asked for waiting in group])
        except Exception as error:
            if len(group) == 1 or not _one_payloads_fault(error):
                for waiting in group:
                    waiting.error = error
                return
            # One bad payload must not cost the others their ack: each alone, then.
            for waiting in group:
                self._write_group([waiting])
            return
        for waiting, accepted in zip(group, written, strict=True):
            waiting.accepted = accepted


def _one_payloads_fault(error: Exception) -> bool:
    """Whether a failed write may be one job's doing, so that the others would go in alone.
    A database that is locked, unreachable or out of connections fails them all alike:
    trying each in turn would only make every ack wait that much longer."""
    return not isinstance(error, (OperationalError, InterfaceError, PoolTimeout))


class Intake:
    def __init__(
        self,
        *,
        session_factory: SessionFactory,
        clock: Clock,
        runner: JobRunner,
        workers: Executor,
        forms: Executor,
        lease: timedelta,
    ) -> None:
        """A job is run at once by the process that took it, which holds it for `lease`
        (JOBS_LEASE_SECONDS): only if that process dies does a runner's tick take it up,
        once the lease has run out."""
        self._sessions = session_factory
        self._clock = clock
        self._runner = runner
        self._workers = workers
        self._forms = forms
        self._lease = lease
        self._group_commit = GroupCommit(self._write)

    def register(self, name: str, handler: JobHandler) -> str:
        """The kind of job for one listener; its rows are deleted once done."""
        kind = f"{KIND_PREFIX}{name}"
        self._runner.add_handler(kind, handler, keep_when_done=False)
        return kind

    def accept(self, *, kind: str, team_id: str, body: dict[str, Any]) -> Accepted:
        """Write what was asked, durably, leased to this process to run at once. Each
        delivery is its own job: a repeated one (a retried event, a double submission) is
        made harmless by the flows' own idempotency keys, and answered like the first."""
        return self._group_commit.submit(NewJob(team_id=team_id, kind=kind, payload={"body": body}))

    def _write(self, group: list[NewJob]) -> list[Accepted]:
        now = self._clock.now()
        with self._sessions.begin() as session:
            session.connection(execution_options={URGENT_WRITE_OPTION: True})
            claimed = jobs.add_claimed(session=session, new=group, now=now, lease=self._lease)
        return [Accepted(job, token, now + self._lease) for job, token in claimed]

    def waited(self, job: JobSnapshot) -> timedelta:
        """How long ago the job was accepted (a response_url lasts 30 minutes)."""
        return self._clock.now() - (job.created_at or self._clock.now())

    def run_unkept(self, work: Callable[[], None]) -> None:
        """Work with nothing to keep (opening a form, reading): no job, and threads of its
        own, so that a form opens within its trigger's 3 seconds however busy the workers."""
        self._forms.submit(work)

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
