"""The App Home tab: published when it is opened, and again after a change made from it."""

from __future__ import annotations

from typing import Any

from bot.forms.messages import build_new_request_modal
from bot.home.messages import build_home_view
from bot.kudos.flows.giving import Giving
from bot.requests.flows.desk import RequestDesk
from bot.satisfaction.flows.feedback import Feedback
from bot.slack import SlackGateway


class Home:
    def __init__(
        self,
        *,
        desk: RequestDesk,
        feedback: Feedback,
        gateway: SlackGateway,
        giving: Giving | None = None,
    ) -> None:
        self._desk = desk
        self._feedback = feedback
        self._gateway = gateway
        # What the viewer may still give today, shown when kudos are set up.
        self._giving = giving

    def publish(self, *, team_id: str, user_id: str) -> None:
        kudos_left = None
        if self._giving is not None and self._giving.policy.channel_id:
            kudos_left = self._giving.status(team_id=team_id, user_id=user_id).left
        view = build_home_view(
            self._desk.my_open_requests(team_id=team_id, user_id=user_id),
            self._desk.departments(team_id=team_id),
            self._feedback.team_feedback(team_id=team_id, user_id=user_id),
            kudos_left=kudos_left,
        )
        self._gateway.publish_home(user_id=user_id, view=view)

    def new_request_form(self, *, team_id: str) -> dict[str, Any]:
        """The request form, opened from Home's New request button."""
        return build_new_request_modal(self._desk.departments(team_id=team_id))
