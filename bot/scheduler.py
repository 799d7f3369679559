"""APScheduler only ticks: every tick runs the jobs that are due in the database.

Its own job store stays in memory (a store must never be shared by several schedulers);
what is due lives in the `jobs` table, so any number of processes can tick safely.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger

from bot import slack_events
from bot.clock import Clock
from bot.db import SessionFactory, refresh_statistics
from bot.job_runner import JobRunner, RunSummary
from bot.jobs import forget_finished

logger = logging.getLogger(__name__)

TICK_JOB_ID = "run-due-jobs"


# How often a process refreshes the database's statistics for its query planner.
STATISTICS_EVERY = timedelta(days=1)


class Ticker:
    """One tick: run due jobs, then forget Events API ids too old to be retried and jobs
    long finished; at the first tick and once a day, refresh the planner's statistics."""

    def __init__(self, *, runner: JobRunner, session_factory: SessionFactory, clock: Clock):
        self._runner = runner
        self._sessions = session_factory
        self._clock = clock
        self._paused_until: datetime | None = None
        self._statistics_at: datetime | None = None

    def tick(self) -> RunSummary:
        now = self._clock.now()
        if self._paused_until is not None and now < self._paused_until:
            # Slack said when to come back; jobs outside the limited batch wait as well.
            return RunSummary(rate_limited_until=self._paused_until)
        summary = self._runner.run_due()
        self._paused_until = summary.rate_limited_until
        now = self._clock.now()
        with self._sessions.begin() as session:
            slack_events.forget_old_events(session=session, now=now)
            forget_finished(session=session, now=now)
        if self._statistics_at is None or now - self._statistics_at >= STATISTICS_EVERY:
            refresh_statistics(self._sessions)
            self._statistics_at = now
        return summary

    def tick_logged(self) -> None:
        """The scheduler's entry point: a failing tick is logged and the next one tries again."""
        try:
            self.tick()
        except Exception:
            logger.exception("jobs.tick_failed")


def start_scheduler(ticker: Ticker, *, interval_seconds: float) -> BackgroundScheduler:
    scheduler = BackgroundScheduler(
        timezone=UTC,
        # One tick at a time; ticks missed while one ran long are merged, not queued.
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
    )
    scheduler.add_job(
        ticker.tick_logged,
        IntervalTrigger(seconds=interval_seconds, timezone=UTC),
        id=TICK_JOB_ID,
        # The first tick at start: whatever fell due while the bot was down goes out now.
        next_run_time=datetime.now(UTC),
    )
    scheduler.start()
    logger.info("jobs.scheduler_started", extra={"interval_seconds": interval_seconds})
    return scheduler
