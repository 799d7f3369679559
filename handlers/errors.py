"""The one place where failures become answers: user errors as ephemeral replies, the rest
logged with their traceback and an error id the user can quote."""

from __future__ import annotations

import logging
import uuid
from typing import Any

from slack_bolt import App, BoltResponse
from slack_sdk.errors import SlackApiError

from bot.blocks.requests import build_notice
from bot.errors import UserError
from bot.slack import SlackGateway

logger = logging.getLogger(__name__)


def _user_id(body: dict[str, Any]) -> str | None:
    user = body.get("user")
    if isinstance(user, dict):
        return str(user.get("id")) if user.get("id") else None
    return str(body["user_id"]) if body.get("user_id") else None


def register(app: App, *, gateway: SlackGateway) -> None:
    @app.error
    def handle_error(error: Exception, body: dict[str, Any]) -> BoltResponse | None:
        if isinstance(error, UserError):
            text = error.message
            logger.info("request.user_error", extra={"error_type": type(error).__name__})
        else:
            error_id = uuid.uuid4().hex[:8]
            logger.error("unexpected_error", exc_info=error, extra={"error_id": error_id})
            text = (
                ":warning: Sorry, something went wrong on my side and nothing was changed by it. "
                f"If it happens again, tell your admin error id `{error_id}`."
            )
        _tell_user(body, build_notice(text), gateway)
        return None


def _tell_user(body: dict[str, Any], message: dict[str, Any], gateway: SlackGateway) -> None:
    response_url = body.get("response_url") or next(
        (a.get("response_url") for a in body.get("response_urls") or []), None
    )
    try:
        if response_url:
            gateway.respond(
                response_url, response_type="ephemeral", replace_original=False, **message
            )
            return
        user_id = _user_id(body)
        if user_id:
            gateway.post_message(channel=user_id, message=message)
    except SlackApiError:
        logger.exception("error_reply_failed")
