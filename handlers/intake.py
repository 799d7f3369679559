"""Listeners made durable (bot/intake.py): Bolt calls `acknowledge_durably` on the HTTP thread,
which writes the payload as a job and acks; the job then calls the module-level listener with
what Bolt would have given it (`body`, `action`, `command`, `event`, `view`) and its flows, and
answers its failures."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from slack_bolt import Ack
from slack_bolt.request.payload_utils import to_action, to_command, to_event, to_view
from slack_bolt.util.utils import get_arg_names_of_callable

from bot.errors import FormErrors, FormOutdated, UserError
from bot.intake import Intake
from bot.jobs import JobSnapshot
from bot.slack import SlackGateway
from handlers.errors import report_error

logger = logging.getLogger(__name__)

# Slack honours a response_url for 30 minutes: an answer after that goes by DM.
RESPONSE_URL_LIFETIME = timedelta(minutes=30)

BoltListener = Callable[..., None]


def team_of(body: dict[str, Any]) -> str:
    team = body.get("team")
    if isinstance(team, dict) and team.get("id"):
        return str(team["id"])
    user = body.get("user")
    if isinstance(user, dict) and user.get("team_id"):
        return str(user["team_id"])
    return str(body.get("team_id") or "")


def slack_arguments(body: dict[str, Any]) -> dict[str, Any]:
    """What Bolt passes a listener by name, from the payload alone."""
    action = to_action(body)
    return {
        "body": body,
        # A client's action that is not an object points at nothing: parsers see an empty one.
        "action": action if isinstance(action, dict) else {},
        "command": to_command(body),
        "event": to_event(body),
        "view": to_view(body),
    }


def without_response_urls(body: dict[str, Any]) -> dict[str, Any]:
    """The payload with its expired response_urls taken out, so answers go by DM."""
    expired = {key: value for key, value in body.items() if key != "response_urls"}
    expired["response_url"] = ""
    return expired


def durable(
    intake: Intake,
    name: str,
    listener: BoltListener,
    *,
    answer_with: SlackGateway | None,
    validate: Callable[[dict[str, Any]], object] | None = None,
    before_ack: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
    keep: Callable[[dict[str, Any]], bool] | None = None,
    retried: bool = False,
    **services: Any,
) -> BoltListener:
    """The Bolt listener for `listener`: durable first, then acknowledged, then run.

    `validate` answers a form's errors inline, or draws it again (either must be the ack
    itself). `before_ack`
    makes the change itself in the ack path when the payload must not be kept (an anonymous
    answer), and returns the payload to keep for the rest of the work. `keep` says whether a
    payload asks for anything to be kept at all: one that only opens a form or reads (whose
    trigger expires in 3 seconds anyway) is run at once, without a job. `retried` hands a
    kept payload's failures, but for the person's own mistakes (UserError, answered), back to
    the job runner, which tries again with backoff: for work whose flows make a second run
    harmless, and whose payload alone holds what was asked (an event, a form's text)."""
    wanted = get_arg_names_of_callable(listener)

    def answer(body: dict[str, Any], *, kept: bool = False) -> None:
        arguments = slack_arguments(body)
        try:
            listener(**{key: arguments[key] for key in wanted}, **services)
        except Exception as error:
            # What the person did wrong is answered; the rest is tried again.
            if retried and kept and not isinstance(error, UserError):
                raise
            if answer_with is None:
                logger.exception("listener.failed", extra={"listener": name})
                return
            report_error(error, body, answer_with)

    def run(job: JobSnapshot) -> None:
        body = job.payload["body"]
        if intake.waited(job) >= RESPONSE_URL_LIFETIME:
            body = without_response_urls(body)
        answer(body, kept=True)

    kind = intake.register(name, run)

    def acknowledge_durably(ack: Ack, body: dict[str, Any]) -> None:
        if validate is not None:
            try:
                validate(body)
            except FormErrors as invalid:
                ack(response_action="errors", errors=invalid.errors)
                return
            except FormOutdated as outdated:
                ack(response_action="update", view=outdated.view)
                return
            except UserError:
                pass  # the work, run as a job, parses it again and answers that
        if keep is not None and not keep(body):
            ack()
            intake.run_unkept(lambda: answer(body))
            return
        kept = before_ack(body) if before_ack is not None else body
        job = intake.accept(kind=kind, team_id=team_of(kept), body=kept)
        ack()
        intake.run_soon(job)

    return acknowledge_durably


def keep_nothing(body: dict[str, Any]) -> bool:
    """For `keep`: a button that only opens a form asks for nothing to be kept."""
    del body
    return False
