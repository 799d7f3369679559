"""The installation itself: payloads from a workspace the bot does not serve are refused before
any work, and Slack's word that the app was removed or its tokens revoked is logged."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import App, BoltContext, BoltResponse

from bot.services import Services
from bot.slack import Installation

logger = logging.getLogger(__name__)


FOREIGN_WORKSPACE = "This pulsedesk serves another Slack workspace, so it did nothing with that."


def only_our_workspace(
    body: dict[str, Any],
    context: BoltContext,
    next: Callable[[], BoltResponse],
    *,
    installation: Installation,
) -> BoltResponse:
    """Bolt middleware, before any listener: a payload from another workspace or app (signed
    with our secret, so from Slack, but not for us) gets a plain answer and nothing else."""
    app_id = body.get("api_app_id")
    if installation.serves(
        team_id=context.team_id, app_id=app_id if isinstance(app_id, str) else None
    ):
        return next()
    logger.info("slack.foreign_workspace", extra={"team_id": context.team_id, "app_id": app_id})
    if body.get("command"):
        return BoltResponse(
            status=200,
            body=json.dumps({"response_type": "ephemeral", "text": FOREIGN_WORKSPACE}),
            headers={"content-type": "application/json"},
        )
    return BoltResponse(status=200, body="")


def handle_access_revoked(body: dict[str, Any]) -> None:
    logger.warning(
        "slack.access_revoked",
        extra={"team_id": body.get("team_id"), "event_type": body["event"]["type"]},
    )


def register(app: App, services: Services) -> None:
    installation = services.installation
    if installation is not None:

        def refuse_other_workspaces(
            body: dict[str, Any], context: BoltContext, next: Callable[[], BoltResponse]
        ) -> BoltResponse:
            return only_our_workspace(body, context, next, installation=installation)

        app.middleware(refuse_other_workspaces)
    app.event("app_uninstalled")(handle_access_revoked)
    app.event("tokens_revoked")(handle_access_revoked)
