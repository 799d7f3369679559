"""The weekly department report: one job per department and week, due at WEEKLY_PULSE_DAY and
WEEKLY_PULSE_TIME in the department's time zone, and one per workspace for the admins' ICSQ
heatmap. Each posts once, shares its chart once, and schedules the next week's."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from bot import jobs
from bot.calendar import Week, WeeklySchedule
from bot.clock import Clock
from bot.db import SessionFactory, read_session
from bot.department_reports import messages, store
from bot.department_reports.rules import (
    HEATMAP_DAYS,
    OLDEST_SHOWN,
    REPORT_TAG,
    TREND_WEEKS,
    ChartKind,
    OpenRequest,
    ReportJob,
    WeeklyReport,
    chart_key,
    chart_name,
    heatmap_name,
)
from bot.jobs import JobSnapshot
from bot.requests.departments import store as departments_store
from bot.requests.rules import DepartmentSnapshot
from bot.slack import MessageTag, SlackGateway, Upload
from bot.trends.rules import Heatmap, Trend, last_weeks
from bot.trends.store import department_trend, icsq_heatmap

logger = logging.getLogger(__name__)

WEEK = timedelta(days=7)
HEATMAP_ALT_TEXT = (
    "ICSQ scores from 1 to 5, departments by area; a cell with too few answers is empty."
)


class DepartmentReports:
    def __init__(
        self,
        *,
        session_factory: SessionFactory,
        job_gateway: SlackGateway,
        clock: Clock,
        schedule: WeeklySchedule,
        anonymity_minimum: int,
        admins: Sequence[str],
    ) -> None:
        self._sessions = session_factory
        self._gateway = job_gateway
        self._clock = clock
        self._schedule = schedule
        self._minimum = anonymity_minimum
        self._admins = tuple(admins)

    # -- scheduling ----------------------------------------------------------------------
    def schedule(self, *, team_id: str) -> None:
        """Make sure each department that gets the report, and the admins' heatmap, has its
        next job; each job schedules the week after its own."""
        now = self._clock.now()
        with self._sessions.begin() as session:
            for department in departments_store.list_departments(session=session, team_id=team_id):
                if department.weekly_report:
                    week = self._upcoming(now, _zone(department))
                    self._enqueue_report(session, team_id, department, week, now)
            if self._admins:
                self._enqueue_heatmap(session, team_id, self._upcoming(now, None), now)

    def _upcoming(self, now: datetime, zone: str | None) -> Week:
        """The first week whose moment in `zone` is still ahead. A week's moment falls in the
        UTC week before it in zones east of UTC, so the search starts a week early."""
        week = Week(Week.of(now.astimezone(UTC).date()).monday - WEEK)
        while self._schedule.due_at(week, zone) <= now:
            week = Week(week.monday + WEEK)
        return week

    def _enqueue_report(
        self,
        session: Session,
        team_id: str,
        department: DepartmentSnapshot,
        week: Week,
        now: datetime,
    ) -> None:
        jobs.enqueue(
            session=session,
            team_id=team_id,
            kind=ReportJob.POST,
            unique_key=f"{ReportJob.POST}:{department.id}:{week.key}",
            due_at=max(now, self._schedule.due_at(week, _zone(department))),
            now=now,
            payload={"department_id": department.id, "week": week.key},
        )

    def _enqueue_heatmap(self, session: Session, team_id: str, week: Week, now: datetime) -> None:
        jobs.enqueue(
            session=session,
            team_id=team_id,
            kind=ReportJob.HEATMAP,
            unique_key=f"{ReportJob.HEATMAP}:{team_id}:{week.key}",
            due_at=max(now, self._schedule.due_at(week, None)),
            now=now,
            payload={"week": week.key},
        )

    # -- the department's report ---------------------------------------------------------
    def post_report(self, job: JobSnapshot) -> None:
        """Post the week's report in the department's channel, then its chart in the report's
        thread. A department no longer active, or no longer getting the report, gets nothing
        more: the next start schedules it again if it is back."""
        week = Week.parse(str(job.payload["week"]))
        now = self._clock.now()
        with self._sessions.begin() as session:
            department = store.department(
                session=session, department_id=int(job.payload["department_id"])
            )
            if department is None or not department.weekly_report:
                logger.info("department_report.skipped", extra={"job_id": job.id})
                return
            self._enqueue_report(session, job.team_id, department, Week(week.monday + WEEK), now)
        # The moment it was due, not when it runs: a late run reports the same days.
        until = self._schedule.due_at(week, _zone(department))
        report = self._read(job.team_id, department, until)
        # A try that failed or whose runner died may have reached Slack.
        resumed = job.attempts > 0
        posted = self._gateway.post_once(
            channel=department.channel_id,
            message=messages.build_weekly_report(report),
            tag=MessageTag(REPORT_TAG, job.id),
            resumed=resumed,
        )
        if report.quiet:
            logger.info("department_report.quiet", extra={"department": department.key})
            return
        with read_session(self._sessions) as session:
            trend = department_trend(
                session=session,
                department_key=department.key,
                team_id=job.team_id,
                # Ending with the week the report is posted in, as `report chart` draws them:
                # the days the report counts are all in the picture.
                weeks=last_weeks(until.date(), TREND_WEEKS),
            )
        file_id = self._gateway.upload_once(
            channel=posted.channel,
            thread_ts=posted.ts,
            upload=Upload(
                name=chart_name(department.key, week),
                content=_trend_png(trend),
                title=f"{department.name}: the last {TREND_WEEKS} weeks",
                alt_text=(
                    f"Requests filed per week as bars, with CSAT and the median resolution "
                    f"time as lines, for {department.name} over the last {TREND_WEEKS} weeks."
                ),
            ),
            resumed=resumed,
        )
        with self._sessions.begin() as session:
            store.record_chart(
                session=session,
                key=chart_key(ChartKind.TREND, department.key, week),
                team_id=job.team_id,
                kind=ChartKind.TREND,
                week=week,
                channel_id=posted.channel,
                message_ts=posted.ts,
                file_id=file_id,
                now=self._clock.now(),
                department_id=department.id,
            )
        logger.info("department_report.posted", extra={"department": department.key})

    def _read(self, team_id: str, department: DepartmentSnapshot, until: datetime) -> WeeklyReport:
        with read_session(self._sessions) as session:
            last = store.department_week(
                session=session,
                department=department,
                team_id=team_id,
                until=until,
                minimum=self._minimum,
            )
            before = store.department_week(
                session=session,
                department=department,
                team_id=team_id,
                until=until - WEEK,
                minimum=self._minimum,
            )
            pulse, pulse_before = store.pulse_weeks(
                session=session,
                department=department,
                team_id=team_id,
                now=until,
                minimum=self._minimum,
            )
            total, oldest = store.oldest_open(
                session=session, department_id=department.id, limit=OLDEST_SHOWN
            )
        return WeeklyReport(
            department_name=department.name,
            until=until,
            last=last,
            before=before,
            pulse=pulse,
            pulse_before=pulse_before,
            open_total=total,
            anonymity_minimum=self._minimum,
            oldest=tuple(
                OpenRequest(request, self._card_link(request.card_channel_id, request.card_ts))
                for request in oldest
            ),
        )

    def _card_link(self, channel: str | None, ts: str | None) -> str | None:
        if not channel or not ts:
            return None
        return self._gateway.permalink(channel=channel, ts=ts)

    # -- the admins' heatmap ---------------------------------------------------------------
    def post_heatmap(self, job: JobSnapshot) -> None:
        """Send each admin the ICSQ heatmap of the last 12 weeks in their DM; nothing when no
        department has enough answers in any area yet."""
        week = Week.parse(str(job.payload["week"]))
        now = self._clock.now()
        with self._sessions.begin() as session:
            self._enqueue_heatmap(session, job.team_id, Week(week.monday + WEEK), now)
        until = self._schedule.due_at(week, None)
        with read_session(self._sessions) as session:
            heatmap = icsq_heatmap(
                session=session, now=until, days=HEATMAP_DAYS, minimum=self._minimum
            )
        if not any(score is not None for row in heatmap.scores for score in row):
            logger.info("department_report.heatmap_empty", extra={"team_id": job.team_id})
            return
        picture = _heatmap_png(heatmap)
        for admin in self._admins:
            key = chart_key(ChartKind.HEATMAP, admin, week)
            with read_session(self._sessions) as session:
                if store.chart_recorded(session=session, key=key):
                    continue
            channel = self._gateway.dm_channel(admin)
            file_id = self._gateway.upload_once(
                channel=channel,
                thread_ts=None,
                upload=Upload(
                    name=heatmap_name(week),
                    content=picture,
                    title=messages.heatmap_comment(until, HEATMAP_DAYS // 7),
                    alt_text=HEATMAP_ALT_TEXT,
                ),
                resumed=job.attempts > 0,
            )
            with self._sessions.begin() as session:
                store.record_chart(
                    session=session,
                    key=key,
                    team_id=job.team_id,
                    kind=ChartKind.HEATMAP,
                    week=week,
                    channel_id=channel,
                    message_ts="",
                    file_id=file_id,
                    now=self._clock.now(),
                    user_id=admin,
                )


# matplotlib takes over half a second to import: only the pictures pay for it, not every start
# of the bot or of the command line.
def _trend_png(trend: Trend) -> bytes:
    from bot.trends.formats import png, trend_figure

    return png(trend_figure(trend))


def _heatmap_png(heatmap: Heatmap) -> bytes:
    from bot.trends.formats import heatmap_figure, png

    return png(heatmap_figure(heatmap))


def _zone(department: DepartmentSnapshot) -> str | None:
    return department.calendar.zone.key if department.calendar else None
