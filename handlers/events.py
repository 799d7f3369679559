"""Events API deliveries. Each is idempotent: Slack may deliver the same event more than once."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App

from bot.services.desk import RequestDesk
from bot.services.recognition import Recognition
from bot.services.satisfaction import SatisfactionService
from bot.slack import SlackGateway
from handlers.errors import acknowledge, guarded
from handlers.home import publish_home
from handlers.payloads import parse_reaction

logger = logging.getLogger(__name__)


def register(
    app: App,
    *,
    desk: RequestDesk,
    satisfaction: SatisfactionService,
    recognition: Recognition,
    gateway: SlackGateway,
) -> None:
    @guarded(gateway)
    def handle_app_home_opened(event: dict[str, Any], body: dict[str, Any]) -> None:
        if event.get("tab") not in (None, "home"):
            return
        team_id = str(body.get("team_id") or "")
        user_id = str(event["user"])
        publish_home(desk, satisfaction, gateway, team_id=team_id, user_id=user_id)

    app.event("app_home_opened")(ack=acknowledge, lazy=[handle_app_home_opened])

    def _reaction_listener(added: bool) -> Any:
        def handle_reaction(body: dict[str, Any]) -> None:
            # Reactions come from anyone in any channel the bot is in: failures are logged,
            # never answered to the person who reacted.
            reaction = parse_reaction(body, added=added)
            if reaction is None:
                return
            try:
                satisfaction.react(reaction)
            except Exception:
                logger.exception("rating.reaction_failed", extra={"event_id": reaction.event_id})
            try:
                recognition.react(reaction)
            except Exception:
                logger.exception("kudos.reaction_failed", extra={"event_id": reaction.event_id})

        return handle_reaction

    app.event("reaction_added")(ack=acknowledge, lazy=[_reaction_listener(True)])
    app.event("reaction_removed")(ack=acknowledge, lazy=[_reaction_listener(False)])

    @app.event("app_uninstalled")
    @app.event("tokens_revoked")
    def handle_uninstall(body: dict[str, Any]) -> None:
        logger.warning(
            "slack.access_revoked",
            extra={"team_id": body.get("team_id"), "event_type": body["event"]["type"]},
        )
