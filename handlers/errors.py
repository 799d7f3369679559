"""The one place where failures become answers: user errors as ephemeral replies, the rest
logged with their traceback and an error id the user can quote.

Listeners are split the way Bolt's lazy listeners allow: a tiny ack function answers Slack on
the HTTP thread, and the work runs afterwards on the listener pool, bound by `bind` to the
services it needs and with its failures answered here. A full pool then delays work, never
the ack.
"""

from __future__ import annotations

import functools
import logging
import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from slack_bolt import Ack, App, BoltResponse

from bot.blockkit import build_notice
from bot.errors import FormErrors, UserError
from bot.services import Services
from bot.slack import SlackGateway
from bot.slack_client import SLACK_FAILURES

logger = logging.getLogger(__name__)

Listener = TypeVar("Listener", bound=Callable[..., None])


def _user_id(body: dict[str, Any]) -> str | None:
    user = body.get("user")
    if isinstance(user, dict):
        return str(user.get("id")) if user.get("id") else None
    return str(body["user_id"]) if body.get("user_id") else None


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


def _tell_user(body: dict[str, Any], message: dict[str, Any], gateway: SlackGateway) -> None:
    response_url = body.get("response_url") or next(
        (a.get("response_url") for a in body.get("response_urls") or []), None
    )
    try:
        if response_url:
            gateway.reply_privately(response_url, message)
            return
        user_id = _user_id(body)
        if user_id:
            gateway.post_message(channel=user_id, message=message)
    except SLACK_FAILURES:
        logger.exception("error_reply_failed")


def acknowledge(ack: Ack) -> None:
    """The ack function of every listener whose answer to Slack is an empty 200."""
    ack()


def validating_ack(
    parse: Callable[[dict[str, Any]], object],
) -> Callable[[Ack, dict[str, Any]], None]:
    """The ack function of a modal: pure validation, since inline errors must be the ack
    itself. A form that no longer points at anything is acked, and the lazy listener, which
    parses it again, answers that."""

    def ack_form(ack: Ack, body: dict[str, Any]) -> None:
        try:
            parse(body)
        except FormErrors as invalid:
            ack(response_action="errors", errors=invalid.errors)
            return
        except UserError:
            pass
        ack()

    return ack_form


def bind(listener: Listener, *, answer_with: SlackGateway | None, **services: Any) -> Listener:
    """A module-level lazy listener (which takes `body`) made ready for Bolt: its services
    given as the keyword-only arguments it declares, its failures answered here through
    `answer_with` (None: left to Bolt, which logs them).

    Bolt passes what a listener asks for by its positional parameters' names (`body`,
    `action`, ...), read through `functools.wraps`; the services are keyword-only, so Bolt
    never tries to supply them."""

    @functools.wraps(listener)
    def bound_listener(**kwargs: Any) -> None:
        try:
            listener(**kwargs, **services)
        except Exception as error:
            if answer_with is None:
                raise
            report_error(error, kwargs["body"], answer_with)

    return bound_listener  # type: ignore[return-value]


def handle_error(error: Exception, body: dict[str, Any], *, gateway: SlackGateway) -> None:
    """Failures outside the listeners (middleware, payload parsing in Bolt itself)."""
    report_error(error, body, gateway)


def register(app: App, services: Services) -> None:
    def on_error(error: Exception, body: dict[str, Any]) -> BoltResponse | None:
        handle_error(error, body, gateway=services.gateway)
        return None

    app.error(on_error)
