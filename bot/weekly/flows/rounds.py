"""A week's round of the weekly pulse: started for the audience when the first time zone reaches
the scheduled time, one delivery (and its send job) per person, each due at their own
local time. Each round schedules the next."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from bot import jobs
from bot.calendar import Week, WeeklySchedule
from bot.clock import Clock
from bot.db import SessionFactory, read_session
from bot.jobs import JobSnapshot
from bot.people import store as people_store
from bot.slack import SlackGateway
from bot.weekly import store
from bot.weekly.rules import (
    USED_DEPARTMENTS_WINDOW,
    Recipient,
    RoundProgress,
    StartedRound,
    UsedDepartment,
    WeeklyJob,
    results_final_at,
    select_questions,
)
from bot.weekly.updates import store as updates_store

logger = logging.getLogger(__name__)

# The first and last time zones on Earth: a week's round runs from the scheduled time in
# the one to the scheduled time in the other.
FIRST_ZONE = "Etc/GMT-14"


LAST_ZONE = "Etc/GMT+12"


ADD_BATCH = 500


# PULSE_AUDIENCE=requesters: people who filed a request within this window.
REQUESTERS_WINDOW = timedelta(days=30)


class Rounds:
    def __init__(
        self,
        *,
        session_factory: SessionFactory,
        gateway: SlackGateway,
        clock: Clock,
        schedule: WeeklySchedule,
        audience: str,
    ) -> None:
        self._sessions = session_factory
        self._gateway = gateway
        self._clock = clock
        self._schedule = schedule
        self._audience = audience

    def schedule_round(self, *, team_id: str) -> Week:
        """Make sure the next round has its start job; each round schedules the one after."""
        week = self._upcoming_week(self._clock.now())
        self._enqueue_round_start(team_id, week)
        return week

    def _upcoming_week(self, now: datetime) -> Week:
        """This week while anyone's scheduled time is still ahead, else next week."""
        week = Week.of(now.astimezone(UTC).date())
        if now >= self._schedule.due_at(week, LAST_ZONE):
            week = Week(week.monday + timedelta(days=7))
        return week

    def _enqueue_round_start(self, team_id: str, week: Week) -> None:
        now = self._clock.now()
        # The round starts when the first zone reaches the scheduled time; each person's
        # DM is then due at that time in their own zone.
        starts_at = max(now, self._schedule.due_at(week, FIRST_ZONE))
        with self._sessions.begin() as session:
            jobs.enqueue(
                session=session,
                team_id=team_id,
                kind=WeeklyJob.START_ROUND,
                unique_key=f"{WeeklyJob.START_ROUND}:{team_id}:{week.key}",
                due_at=starts_at,
                now=now,
                payload={"week": week.key},
            )

    def start_round_job(self, job: JobSnapshot) -> None:
        week = Week.parse(str(job.payload["week"]))
        self.start_round(team_id=job.team_id, week=week)
        self._enqueue_round_start(job.team_id, Week(week.monday + timedelta(days=7)))

    def start_round(self, *, team_id: str, week: Week, send_now: bool = False) -> StartedRound:
        """Add everyone in the audience who is not in the week's round yet, each due at the
        scheduled time in their own zone (or now, with `send_now`, or when that has passed).
        Safe to repeat: a person is in a round once."""
        now = self._clock.now()
        with self._sessions.begin() as session:
            round_ = store.ensure_round(session=session, team_id=team_id, week=week, now=now)
            # With the round: when the week's answers close, what is still pending goes out.
            jobs.enqueue(
                session=session,
                team_id=team_id,
                kind=WeeklyJob.RELEASE,
                unique_key=f"{WeeklyJob.RELEASE}:{team_id}:{week.key}",
                due_at=results_final_at(week),
                now=now,
                payload={"week": week.key},
            )
        members = self._gateway.workspace_people()
        with read_session(self._sessions) as session:
            filed = store.requests_by_requester(
                session=session, team_id=team_id, since=now - USED_DEPARTMENTS_WINDOW, until=now
            )
            excluded = people_store.opted_out(session=session, team_id=team_id)
            requesters = (
                store.requesters_since(
                    session=session, team_id=team_id, since=now - REQUESTERS_WINDOW
                )
                if self._audience == "requesters"
                else None
            )
        recipients = [
            Recipient(
                user_id=member.user_id,
                due_at=now if send_now else max(now, self._schedule.due_at(week, member.timezone)),
                questions=select_questions(
                    week, [UsedDepartment(*row) for row in filed.get(member.user_id, [])]
                ),
            )
            for member in members
            if member.user_id not in excluded
            and (requesters is None or member.user_id in requesters)
        ]
        with self._sessions.begin() as session:
            # Before any DM can go out: what the departments shared is this week's to show.
            updates_store.claim_for_round(
                session=session,
                team_id=team_id,
                week=week,
                department_ids={
                    q.department_id
                    for r in recipients
                    for q in r.questions
                    if q.department_id is not None
                },
            )
        added = 0
        for start in range(0, len(recipients), ADD_BATCH):
            with self._sessions.begin() as session:
                added += store.add_deliveries(
                    session=session,
                    round_=round_,
                    recipients=recipients[start : start + ADD_BATCH],
                    now=now,
                )
        with self._sessions.begin() as session:
            brought_forward = (
                store.bring_forward(session=session, round_=round_, now=now) if send_now else 0
            )
        logger.info(
            "weekly_pulse.round_started",
            extra={"week": week.key, "audience": len(recipients), "added": added},
        )
        return StartedRound(week, audience=len(recipients), added=added, due_now=brought_forward)

    def progress(self, *, team_id: str, week: Week) -> RoundProgress | None:
        with read_session(self._sessions) as session:
            round_ = store.get_round(session=session, team_id=team_id, week=week)
            if round_ is None:
                return None
            return store.round_progress(session=session, round_=round_)

    def due_deliveries(self) -> int:
        with read_session(self._sessions) as session:
            return store.due_deliveries(session=session, now=self._clock.now())
