"""The App Home tab, published when opened and again after a change made from it."""

from __future__ import annotations

from bot.blocks.home import build_home_view
from bot.services.desk import RequestDesk
from bot.services.satisfaction import SatisfactionService
from bot.slack import SlackGateway


def publish_home(
    desk: RequestDesk,
    satisfaction: SatisfactionService,
    gateway: SlackGateway,
    *,
    team_id: str,
    user_id: str,
) -> None:
    view = build_home_view(
        desk.my_open_requests(team_id=team_id, user_id=user_id),
        desk.departments(team_id=team_id),
        satisfaction.team_feedback(team_id=team_id, user_id=user_id),
    )
    gateway.publish_home(user_id=user_id, view=view)
