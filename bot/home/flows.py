"""The App Home tab: published when it is opened, and again after a change made from it."""

from __future__ import annotations

from bot.home.messages import build_home_view
from bot.requests.flows.desk import RequestDesk
from bot.satisfaction.flows.feedback import Feedback
from bot.slack import SlackGateway


class Home:
    def __init__(self, *, desk: RequestDesk, feedback: Feedback, gateway: SlackGateway) -> None:
        self._desk = desk
        self._feedback = feedback
        self._gateway = gateway

    def publish(self, *, team_id: str, user_id: str) -> None:
        view = build_home_view(
            self._desk.my_open_requests(team_id=team_id, user_id=user_id),
            self._desk.departments(team_id=team_id),
            self._feedback.team_feedback(team_id=team_id, user_id=user_id),
        )
        self._gateway.publish_home(user_id=user_id, view=view)
