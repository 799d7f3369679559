"""The App Home tab: published when it is opened, and again after a change made from it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bot.clock import Clock
from bot.db import SessionFactory, read_session
from bot.forms.messages import build_new_request_modal
from bot.home.messages import QUEUE_SHOWN, QUEUES_SHOWN, RESOLVED_SHOWN, build_home_view
from bot.kudos.flows.giving import Giving
from bot.requests import store as requests_store
from bot.requests.flows.desk import RequestDesk
from bot.requests.rules import DepartmentSnapshot, Queue
from bot.satisfaction.flows.feedback import Feedback
from bot.slack import SlackGateway
from bot.weekly.updates.flows import SharedUpdates

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
        pulse: SharedUpdates | None = None,
    ) -> None:
        self._sessions = session_factory
        self._desk = desk
        self._feedback = feedback
        self._gateway = gateway
        self._clock = clock
        # What the viewer may still give today, shown when kudos are set up.
        self._giving = giving
        # The weekly pulse answered back: what changed, and a lead's share and reply buttons.
        self._pulse = pulse

    def publish(self, *, team_id: str, user_id: str) -> None:
        kudos_left = None
        if self._giving is not None and self._giving.policy.channel_id:
            kudos_left = self._giving.status(team_id=team_id, user_id=user_id).left
        departments = self._desk.departments(team_id=team_id)
        now = self._clock.now()
        with read_session(self._sessions) as session:
            resolved = requests_store.recently_resolved(
                session=session,
                team_id=team_id,
                requester_id=user_id,
                since=now - RESOLVED_SHOWN_FOR,
                limit=RESOLVED_SHOWN,
            )
        view = build_home_view(
            self._desk.my_open_requests(team_id=team_id, user_id=user_id),
            departments,
            self._feedback.team_feedback(team_id=team_id, user_id=user_id),
            kudos_left=kudos_left,
            queues=self._queues(departments, user_id),
            now=now,
            resolved=resolved,
            pulse=self._pulse.home(team_id=team_id, user_id=user_id) if self._pulse else None,
        )
        self._gateway.publish_home(user_id=user_id, view=view)

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
