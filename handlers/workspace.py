"""What Slack says about the installation itself: the app removed, or its tokens revoked."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App

from bot.services import Services

logger = logging.getLogger(__name__)


def handle_access_revoked(body: dict[str, Any]) -> None:
    logger.warning(
        "slack.access_revoked",
        extra={"team_id": body.get("team_id"), "event_type": body["event"]["type"]},
    )


def register(app: App, services: Services) -> None:
    app.event("app_uninstalled")(handle_access_revoked)
    app.event("tokens_revoked")(handle_access_revoked)
