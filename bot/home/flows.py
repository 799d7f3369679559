"""The App Home tab: published when it is opened, after a change made from it, and, for those
who look at it, within a minute of a change to what it shows (bot/home/store.py:
`refresh_homes`)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from bot.clock import Clock
from bot.db import SessionFactory, read_session
from bot.department_reports import store as reports_store
from bot.forms.messages import build_new_request_modal
from bot.home import store
from bot.home.messages import (
    CLAIMED_SHOWN,
    QUEUE_SHOWN,
    QUEUES_SHOWN,
    RESOLVED_SHOWN,
    build_home_view,
)
from bot.jobs import JobSnapshot
from bot.kudos.flows.giving import Giving
from bot.requests import store as requests_store
from bot.requests.flows.desk import RequestDesk
from bot.requests.rules import DepartmentSnapshot, Queue
from bot.satisfaction.flows.feedback import Feedback
from bot.satisfaction.rules import TeamFeedback
from bot.slack import SlackGateway
from bot.weekly.updates.flows import SharedUpdates
from bot.weekly.updates.rules import PulseHome

# How long a resolved request stays on its requester's Home.
RESOLVED_SHOWN_FOR = timedelta(days=7)


class Home:
    def __init__(
        self,
        *,
        session_factory: SessionFactory,
        desk: RequestDesk,
        feedback: Feedback,
        gateway: SlackGateway,
        clock: Clock,
        giving: Giving | None = None,
        job_gateway: SlackGateway | None = None,
        pulse: SharedUpdates | None = None,
    ) -> None:
        self._sessions = session_factory
        self._desk = desk
        self._feedback = feedback
        self._gateway = gateway
        # Redrawn in the background, a 429 goes back to the job runner.
        self._job_gateway = job_gateway or gateway
        self._clock = clock
        # What the viewer may still give today, shown when kudos are set up.
        self._giving = giving
        # The weekly pulse answered back: what changed, and a lead's share and reply buttons.
        self._pulse = pulse

    def opened(self, *, team_id: str, user_id: str) -> None:
        """The person opened their Home: draw it, and keep it up to date from now on."""
        with self._sessions.begin() as session:
            store.note_home_opened(
                session=session, team_id=team_id, user_id=user_id, now=self._clock.now()
            )
        self.publish(team_id=team_id, user_id=user_id)

    def publish_job(self, job: JobSnapshot) -> None:
        self.publish(team_id=job.team_id, user_id=str(job.payload["user_id"]), background=True)

    def publish(
        self, *, team_id: str, user_id: str, page: int | None = None, background: bool = False
    ) -> None:
        """Draw this person's Home. A lead's `page` of departments, turned to with the pager,
        is remembered: every later drawing (a redraw after a change, the tab opened again)
        shows the page they were reading."""
        if page is not None:
            with self._sessions.begin() as session:
                store.remember_page(session=session, team_id=team_id, user_id=user_id, page=page)
        self._gateway_for(background).publish_home(
            user_id=user_id, view=self.view(team_id=team_id, user_id=user_id)
        )

    def _gateway_for(self, background: bool) -> SlackGateway:
        return self._job_gateway if background else self._gateway

    def view(self, *, team_id: str, user_id: str) -> dict[str, Any]:
        """What this person's Home shows now, on the page of departments they turned to."""
        kudos_left = None
        if self._giving is not None and self._giving.policy.channel_id:
            kudos_left = self._giving.status(team_id=team_id, user_id=user_id).left
        departments = self._desk.departments(team_id=team_id)
        with read_session(self._sessions) as session:
            page = store.remembered_page(session=session, team_id=team_id, user_id=user_id)
        feedback = self._feedback.team_feedback(
            team_id=team_id, user_id=user_id, page=page, departments=departments
        )
        now = self._clock.now()
        with read_session(self._sessions) as session:
            resolved = requests_store.recently_resolved(
                session=session,
                team_id=team_id,
                requester_id=user_id,
                since=now - RESOLVED_SHOWN_FOR,
                limit=RESOLVED_SHOWN,
            )
            claimed = store.claimed_requests(
                session=session, team_id=team_id, assignee_id=user_id, limit=CLAIMED_SHOWN
            )
            charts, heatmap = self._pictures(session, team_id, user_id, feedback, departments)
        return build_home_view(
            self._desk.my_open_requests(team_id=team_id, user_id=user_id),
            departments,
            feedback,
            kudos_left=kudos_left,
            queues=self._queues(departments, user_id),
            now=now,
            resolved=resolved,
            claimed=claimed,
            charts=charts,
            heatmap=heatmap,
            pulse=self._pulse_part(team_id, user_id, departments, feedback),
        )

    def _pulse_part(
        self,
        team_id: str,
        user_id: str,
        departments: list[DepartmentSnapshot],
        feedback: TeamFeedback | None,
    ) -> PulseHome | None:
        if self._pulse is None:
            return None
        # The page's departments are those this person leads, or every one for an admin.
        page_keys = {d.key for d in feedback.departments} if feedback is not None else set()
        led = [d for d in departments if d.key in page_keys]
        return self._pulse.home(team_id=team_id, user_id=user_id, led=led)

    def _pictures(
        self,
        session: Session,
        team_id: str,
        user_id: str,
        feedback: TeamFeedback | None,
        departments: list[DepartmentSnapshot],
    ) -> tuple[dict[str, str], str | None]:
        """The latest chart of each department a lead sees (by key), and an admin's latest
        ICSQ heatmap."""
        if feedback is None:
            return {}, None
        shown = {d.key for d in feedback.departments}
        keys = {d.id: d.key for d in departments if d.key in shown}
        charts = reports_store.latest_charts(
            session=session, team_id=team_id, department_ids=sorted(keys)
        )
        heatmap = None
        if self._feedback.is_admin(user_id):
            heatmap = reports_store.latest_heatmap(
                session=session, team_id=team_id, user_id=user_id
            )
        return {keys[i]: file_id for i, file_id in charts.items()}, heatmap

    def _queues(
        self, departments: list[DepartmentSnapshot], user_id: str
    ) -> list[tuple[str, Queue]]:
        """The queues of the departments the viewer works for, by department name."""
        served = [d for d in departments if self._desk.is_agent(d, user_id)]
        with read_session(self._sessions) as session:
            return [
                (
                    d.name,
                    requests_store.department_queue(
                        session=session, department_id=d.id, limit=QUEUE_SHOWN
                    ),
                )
                for d in served[:QUEUES_SHOWN]
            ]

    def new_request_form(self, *, team_id: str) -> dict[str, Any]:
        """The request form, opened from Home's New request button."""
        return build_new_request_modal(self._desk.departments(team_id=team_id))
