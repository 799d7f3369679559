"""Replies to anonymous weekly comments: a department's lead answers a comment whose writer
asked for replies, and the reply reaches the writer, once, through their sealed token,
without the lead (or anything stored) learning who they are."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from bot import jobs
from bot.blockkit import build_notice
from bot.clock import Clock
from bot.db import SessionFactory, read_session
from bot.errors import NotAllowed
from bot.jobs import JobSnapshot, JobState
from bot.reports.weekly import store as weekly_report_store
from bot.requests.departments import store as departments_store
from bot.requests.rules import DepartmentSnapshot
from bot.sealing import ReplySealer, TokenUnreadable, Writer
from bot.slack import MessageTag, SlackGateway
from bot.slack_client import SLACK_FAILURES, describe_error
from bot.weekly.comments import messages, store
from bot.weekly.comments.rules import (
    COMMENTS_SHOWN,
    REPLY_RETRY_SECONDS,
    WEEKLY_REPLY_SENT_TAG,
    WEEKLY_REPLY_TAG,
    ShownComment,
    may_answer_for,
    topic_of,
)
from bot.weekly.rules import WeeklyJob
from bot.weekly.updates.rules import RESULTS_LOOKBACK

logger = logging.getLogger(__name__)

NO_KEY = "Replies to anonymous comments are not switched on here, so nothing was sent."
KEY_CHANGED = (
    "This comment can no longer be replied to: the key that sealed its writer has changed "
    "since. Nothing was sent."
)
NOT_ASKED = "Its writer did not ask for replies, so nothing was sent."


def reply_key(team_id: str, view_id: str) -> str:
    return f"{WeeklyJob.REPLY}:{team_id}:{view_id}"


class Replies:
    def __init__(
        self,
        *,
        session_factory: SessionFactory,
        gateway: SlackGateway,
        job_gateway: SlackGateway,
        clock: Clock,
        admins: tuple[str, ...],
        sealer: ReplySealer | None,
        anonymity_minimum: int,
    ) -> None:
        self._sessions = session_factory
        self._gateway = gateway
        self._job_gateway = job_gateway
        self._clock = clock
        self._admins = admins
        self._sealer = sealer
        self._minimum = anonymity_minimum

    @property
    def offered(self) -> bool:
        """Whether a writer may ask for replies at all: only with PULSE_REPLY_KEY set."""
        return self._sealer is not None

    def seal(self, writer: Writer, *, week: str, department_id: int | None) -> str | None:
        if self._sealer is None:
            return None
        return self._sealer.seal(
            writer, team_id=writer.team_id, week=week, topic=topic_of(department_id)
        )

    def lead_comments(
        self, *, team_id: str, departments: list[DepartmentSnapshot]
    ) -> list[tuple[ShownComment, str, bool]]:
        """The latest comments Home shows the leads of these departments, each with its
        department's name and whether Reply can be offered."""
        names = {d.id: d.name for d in departments}
        now = self._clock.now()
        with read_session(self._sessions) as session:
            weeks = weekly_report_store.final_weeks(session, since=now - RESULTS_LOOKBACK, now=now)
            comments = store.shown_comments(
                session=session,
                team_id=team_id,
                department_ids=names,
                weeks=weeks,
                minimum=self._minimum,
                limit=COMMENTS_SHOWN,
            )
        return [
            (c, names[c.department_id], self._can_reply(c))
            for c in comments
            if c.department_id in names
        ]

    def _can_reply(self, comment: ShownComment) -> bool:
        return self._sealer is not None and self._sealer.can_open(comment.reply_token)

    def _answerable(
        self, *, team_id: str, user_id: str, comment_id: str
    ) -> tuple[ShownComment, DepartmentSnapshot]:
        """The comment and its department, if this person may reply to it now; otherwise a
        refusal saying why, before anything is kept or sent."""
        now = self._clock.now()
        with read_session(self._sessions) as session:
            weeks = weekly_report_store.final_weeks(session, since=now - RESULTS_LOOKBACK, now=now)
            comment = store.get_shown_comment(
                session=session,
                team_id=team_id,
                comment_id=comment_id,
                weeks=weeks,
                minimum=self._minimum,
            )
            departments = departments_store.list_departments(session=session, team_id=team_id)
        department = next((d for d in departments if d.id == comment.department_id), None)
        if department is None or not may_answer_for(
            leads=department.leads, admins=self._admins, user_id=user_id
        ):
            raise NotAllowed("Only the department's leads can reply to its comments.")
        if self._sealer is None:
            raise NotAllowed(NO_KEY)
        if not comment.reply_token:
            raise NotAllowed(NOT_ASKED)
        if not self._sealer.can_open(comment.reply_token):
            raise NotAllowed(KEY_CHANGED)
        return comment, department

    def reply_form(self, *, team_id: str, user_id: str, comment_id: str) -> dict[str, Any]:
        comment, department = self._answerable(
            team_id=team_id, user_id=user_id, comment_id=comment_id
        )
        return messages.build_reply_modal(comment=comment, department_name=department.name)

    def reply(
        self, *, team_id: str, user_id: str, comment_id: str, text: str, view_id: str
    ) -> None:
        """Keep the reply as a job named by the form's view (a form delivered twice is one
        reply), then send it now under that job's lease; should that fail or the process
        die, the job sends it later, looking first for what may have gone out."""
        comment, _ = self._answerable(team_id=team_id, user_id=user_id, comment_id=comment_id)
        self._writer(comment)
        now = self._clock.now()
        key = reply_key(team_id, view_id)
        with self._sessions.begin() as session:
            jobs.enqueue(
                session=session,
                team_id=team_id,
                kind=WeeklyJob.REPLY,
                unique_key=key,
                due_at=now + timedelta(seconds=REPLY_RETRY_SECONDS),
                now=now,
                payload={"comment_id": comment_id, "text": text, "lead_id": user_id},
            )
            taken = jobs.take(session=session, unique_key=key, now=now)
        if taken is None:
            return  # sent already, or being sent by the job
        job, token = taken
        try:
            self._send(job, gateway=self._gateway, resumed=False)
        except SLACK_FAILURES as error:
            # The job sends the rest in a while, looking first for what already went out.
            # Only what went wrong is logged: the failed call may name the writer's DM.
            logger.warning("weekly_pulse.reply_deferred", extra={"error": describe_error(error)})
            retry_at = self._clock.now() + timedelta(seconds=REPLY_RETRY_SECONDS)
            with self._sessions.begin() as session:
                jobs.finish(
                    session,
                    job,
                    token,
                    self._clock.now(),
                    state=JobState.PENDING.value,
                    due_at=retry_at,
                )
            return
        now = self._clock.now()
        with self._sessions.begin() as session:
            jobs.finish(session, job, token, now, state=JobState.DONE.value, finished_at=now)
            jobs.clear_payload(session=session, job_id=job.id)

    def send_later(self, job: JobSnapshot) -> None:
        """The job: a reply that could not go out at once, or whose sender died."""
        try:
            self._send(job, gateway=self._job_gateway, resumed=True)
        except NotAllowed as refused:
            self._job_gateway.post_once(
                channel=str(job.payload["lead_id"]),
                message=build_notice(str(refused)),
                tag=MessageTag(WEEKLY_REPLY_SENT_TAG, job.id),
                resumed=True,
            )
        with self._sessions.begin() as session:
            jobs.clear_payload(session=session, job_id=job.id)

    def _writer(self, comment: ShownComment) -> Writer:
        if self._sealer is None:
            raise NotAllowed(NO_KEY)
        if not comment.reply_token:
            raise NotAllowed(NOT_ASKED)
        try:
            writer = self._sealer.open(
                comment.reply_token,
                team_id=comment.team_id,
                week=comment.week,
                topic=topic_of(comment.department_id),
            )
        except TokenUnreadable:
            raise NotAllowed(KEY_CHANGED) from None
        if writer.team_id != comment.team_id:
            raise NotAllowed(KEY_CHANGED)
        return writer

    def _send(self, job: JobSnapshot, *, gateway: SlackGateway, resumed: bool) -> None:
        lead_id = str(job.payload["lead_id"])
        comment, department = self._answerable(
            team_id=job.team_id, user_id=lead_id, comment_id=str(job.payload["comment_id"])
        )
        writer = self._writer(comment)
        gateway.post_once(
            channel=writer.user_id,
            message=messages.build_reply_dm(
                department_name=department.name,
                week=comment.week,
                comment_text=comment.text,
                reply_text=str(job.payload["text"]),
            ),
            tag=MessageTag(WEEKLY_REPLY_TAG, job.id),
            resumed=resumed,
        )
        # Nothing about the writer: the lead learns only that it arrived.
        gateway.post_once(
            channel=lead_id,
            message=messages.build_reply_delivered(department_name=department.name),
            tag=MessageTag(WEEKLY_REPLY_SENT_TAG, job.id),
            resumed=resumed,
        )
        logger.info("weekly_pulse.reply_sent", extra={"department_id": department.id})
