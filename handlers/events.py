"""Events API deliveries. Each is idempotent: Slack may deliver the same event more than once."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App

from bot.services.desk import RequestDesk
from bot.slack import SlackGateway
from handlers.errors import acknowledge, guarded
from handlers.home import publish_home

logger = logging.getLogger(__name__)


def register(app: App, *, desk: RequestDesk, gateway: SlackGateway) -> None:
    @guarded(gateway)
    def handle_app_home_opened(event: dict[str, Any], body: dict[str, Any]) -> None:
        if event.get("tab") not in (None, "home"):
            return
        team_id = str(body.get("team_id") or "")
        user_id = str(event["user"])
        publish_home(desk, gateway, team_id=team_id, user_id=user_id)

    app.event("app_home_opened")(ack=acknowledge, lazy=[handle_app_home_opened])

    @app.event("app_uninstalled")
    @app.event("tokens_revoked")
    def handle_uninstall(body: dict[str, Any]) -> None:
        logger.warning(
            "slack.access_revoked",
            extra={"team_id": body.get("team_id"), "event_type": body["event"]["type"]},
        )
