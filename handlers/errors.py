"""The one place where failures become answers: user errors as ephemeral replies, the rest
logged with their traceback and an error id the user can quote.

Listeners ack once what was asked is durable and do the work afterwards as a job
(handlers/intake.py), whose failures are answered here.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from slack_bolt import App, BoltResponse

from bot.blockkit import build_notice
from bot.errors import UserError
from bot.services import Services
from bot.slack import SlackGateway
from handlers.fields import dict_of, response_url_of, user_of

logger = logging.getLogger(__name__)

Listener = TypeVar("Listener", bound=Callable[..., None])


def report_error(error: Exception, body: dict[str, Any], gateway: SlackGateway) -> None:
    if isinstance(error, UserError):
        text = error.message
        logger.info("request.user_error", extra={"error_type": type(error).__name__})
    else:
        error_id = uuid.uuid4().hex[:8]
        logger.error("unexpected_error", exc_info=error, extra={"error_id": error_id})
        text = (
            ":warning: Sorry, something went wrong on my side. If it happens again, "
            f"tell your admin error id `{error_id}`."
        )
    _tell_user(body, build_notice(text), gateway)


def _response_url(body: dict[str, Any]) -> str:
    """The command's response_url, or a view submission's first."""
    candidates = [body.get("response_url")]
    urls = body.get("response_urls")
    if isinstance(urls, list):
        candidates += [dict_of(entry).get("response_url") for entry in urls]
    return next(filter(None, map(response_url_of, candidates)), "")


def _tell_user(body: dict[str, Any], message: dict[str, Any], gateway: SlackGateway) -> None:
    response_url = _response_url(body)
    user_id = user_of(body)
    if not (response_url or user_id):
        return
    try:
        gateway.reply_privately(response_url, message, user_id=user_id)
    except Exception:
        # The last answer a failure gets: if it fails too, it is logged, never raised, or
        # the work that failed would be run again only to fail the same way.
        logger.exception("error_reply_failed")


def handle_error(error: Exception, body: dict[str, Any], *, gateway: SlackGateway) -> None:
    """Failures outside the listeners (middleware, payload parsing in Bolt itself)."""
    report_error(error, body, gateway)


def register(app: App, services: Services) -> None:
    def on_error(error: Exception, body: dict[str, Any]) -> BoltResponse | None:
        handle_error(error, body, gateway=services.gateway)
        return None

    app.error(on_error)
