"""Kudos standings: the weekly digest that thanks last week's receivers in the kudos channel,
and `/kudos top`, this month's leaders."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from bot import jobs
from bot.calendar import Week, local_month, zone_or_utc
from bot.db import read_session
from bot.jobs import JobSnapshot
from bot.kudos import messages, store
from bot.kudos.flows.common import KudosFlow
from bot.kudos.rules import DIGEST_TAG, DepartmentKudos, KudosJob, KudosTop
from bot.metrics import per_hundred
from bot.requests.departments import store as departments_store
from bot.slack import MessageTag

logger = logging.getLogger(__name__)


class Standings(KudosFlow):
    def top(self, *, team_id: str, user_id: str) -> KudosTop:
        """This month, in the viewer's own time zone."""
        viewer = self._profiles.lookup(team_id=team_id, user_id=user_id)
        since, until = local_month(self._clock.now(), viewer.timezone)
        with read_session(self._sessions) as session:
            tally = store.tally(session=session, since=since, until=until, team_id=team_id)
            received = store.department_kudos(
                session=session, since=since, until=until, team_id=team_id
            )
            handled = store.handled_requests(
                session=session, since=since, until=until, team_id=team_id
            )
            departments = departments_store.list_departments(session=session, team_id=team_id)
        rows = [
            DepartmentKudos(
                d.name,
                received.get(d.id, 0),
                handled.get(d.id, 0),
                per_hundred(received.get(d.id, 0), handled.get(d.id, 0)),
            )
            for d in departments
        ]
        rows.sort(key=lambda row: (row.per_hundred is None, -(row.per_hundred or 0), row.name))
        month = since.astimezone(zone_or_utc(viewer.timezone)).strftime("%B %Y")
        return KudosTop(month, tally, rows)

    def _next_digest(self, after: datetime) -> datetime:
        zone = zone_or_utc(self._policy.digest_timezone)
        week = Week.of(after.astimezone(zone).date())
        for _ in range(3):
            due = self._policy.digest_schedule.due_at(week, self._policy.digest_timezone)
            if due > after:
                return due
            week = Week(week.monday + timedelta(days=7))
        raise AssertionError("a weekly moment is always within three weeks")

    def _previous_digest(self, due: datetime) -> datetime:
        """The digest moment a week before `due`: what the digest covers since, which is
        not always 7 x 24 hours when the clocks change."""
        zone = zone_or_utc(self._policy.digest_timezone)
        week = Week.of(due.astimezone(zone).date())
        earlier = Week(week.monday - timedelta(days=7))
        return self._policy.digest_schedule.due_at(earlier, self._policy.digest_timezone)

    def schedule_digest(self, *, team_id: str) -> datetime | None:
        """Make sure the next digest has its job; each digest schedules the one after."""
        if not self._policy.channel_id:
            return None
        now = self._clock.now()
        due = self._next_digest(now)
        with self._sessions.begin() as session:
            self._enqueue_digest(session, team_id, due, now)
        return due

    def _enqueue_digest(self, session: Session, team_id: str, due: datetime, now: datetime) -> None:
        jobs.enqueue(
            session=session,
            team_id=team_id,
            kind=KudosJob.DIGEST,
            unique_key=f"{KudosJob.DIGEST}:{team_id}:{due.date().isoformat()}",
            due_at=due,
            now=now,
            payload={"due": due.isoformat()},
        )

    def post_digest(self, job: JobSnapshot) -> None:
        """Thank the receivers since the last digest in the kudos channel; nothing when nobody
        was thanked."""
        channel = self._policy.channel_id
        if not channel:
            return
        due = datetime.fromisoformat(str(job.payload["due"]))
        now = self._clock.now()
        with self._sessions.begin() as session:
            self._enqueue_digest(session, job.team_id, self._next_digest(due), now)
            tally = store.tally(
                session=session, since=self._previous_digest(due), until=due, team_id=job.team_id
            )
        if not tally.receivers:
            logger.info("kudos.digest_empty", extra={"team_id": job.team_id})
            return
        receivers = []
        for index, (user_id, count) in enumerate(tally.receivers):
            name = None
            if messages.MENTIONS_MAX <= index < messages.DIGEST_NAMED_MAX:
                name = self._job_profiles.lookup(team_id=job.team_id, user_id=user_id).display_name
            receivers.append((user_id, name, count))
        message = messages.build_digest(receivers, kudos=tally.kudos, givers=len(tally.givers))
        self._job_gateway.post_once(
            channel=channel,
            message=message,
            tag=MessageTag(DIGEST_TAG, job.id),
            # A try that failed or whose runner died may have reached Slack.
            resumed=job.attempts > 0,
        )
        logger.info("kudos.digest_posted", extra={"receivers": len(receivers)})
