"""`/kudos`, and the "Send kudos" button of a resolved request with its modal.

Refusals are ephemeral and quote what was written, so nothing typed is lost.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import App

from bot.blockkit import Message
from bot.errors import FormErrors, UserError
from bot.ids import ActionId, CallbackId
from bot.kudos import messages
from bot.kudos.flows.giving import Giving
from bot.kudos.flows.standings import Standings
from bot.kudos.rules import KUDOS_OFF, GiveOutcome, KudosSubcommand, parse_kudos, parse_subcommand
from bot.services import Services
from bot.slack import SlackGateway
from handlers.intake import durable, keep_nothing
from handlers.payloads import KudosForm, RequestButton, SlashCommand


def _given(outcome: GiveOutcome) -> Message:
    return messages.build_given(
        outcome.shoutout,
        channel_id=outcome.channel_id,
        left=outcome.left,
        limit=outcome.limit,
        posted=outcome.posted,
    )


def handle_kudos_command(
    body: dict[str, Any],
    command: dict[str, Any],
    *,
    giving: Giving,
    standings: Standings,
    gateway: SlackGateway,
) -> None:
    slash = SlashCommand.parse(command)

    gateway.reply_privately(
        slash.response_url, _answer_command(slash, giving, standings), user_id=slash.user_id
    )


def _answer_command(slash: SlashCommand, giving: Giving, standings: Standings) -> Message:
    policy = giving.policy
    subcommand = parse_subcommand(slash.raw_text)
    if not policy.channel_id and subcommand is not KudosSubcommand.HELP:
        return messages.build_refusal(KUDOS_OFF, slash.text)
    if subcommand is KudosSubcommand.HELP:
        return messages.build_help(
            values=policy.values, limit=policy.daily_limit, emoji=policy.emoji
        )
    if subcommand is KudosSubcommand.STATUS:
        status = giving.status(team_id=slash.team_id, user_id=slash.user_id)
        return messages.build_status(
            left=status.left,
            limit=status.limit,
            resets_at=status.resets_at,
            recent=status.recent,
            emoji=policy.emoji,
        )
    if subcommand is KudosSubcommand.TOP:
        top = standings.top(team_id=slash.team_id, user_id=slash.user_id)
        return messages.build_top(month=top.month, tally=top.tally, departments=top.departments)
    try:
        outcome = giving.give(
            team_id=slash.team_id,
            giver_id=slash.user_id,
            draft=parse_kudos(slash.raw_text, policy.values),
            idempotency_key=slash.idempotency_key,
        )
    except UserError as refusal:
        return messages.build_refusal(refusal.message, slash.text)
    return _given(outcome)


def handle_send_kudos(
    body: dict[str, Any], action: dict[str, Any], *, giving: Giving, gateway: SlackGateway
) -> None:
    button = RequestButton.parse(body, action)
    form = giving.request_form(
        team_id=button.team_id, user_id=button.user_id, request_id=button.request_id
    )
    view = messages.build_request_modal(
        form.request,
        recipient_id=form.recipient_id,
        recipient_name=form.recipient_name,
        values=giving.policy.values,
    )
    gateway.open_view(trigger_id=str(body.get("trigger_id") or ""), view=view)


def handle_kudos_submission(body: dict[str, Any], *, giving: Giving, gateway: SlackGateway) -> None:
    try:
        form = KudosForm.parse(body)
    except FormErrors:
        return  # already answered inline by the ack
    try:
        outcome = giving.give_for_request(
            team_id=form.team_id,
            giver_id=form.user_id,
            request_id=form.request_id,
            message=form.message,
            value=form.value,
            idempotency_key=form.idempotency_key,
        )
    except UserError as refusal:
        # A modal has no response_url: the answer goes to the app's DM with the giver.
        gateway.post_message(
            channel=form.user_id, message=messages.build_refusal(refusal.message, form.message)
        )
        return
    gateway.post_message(channel=form.user_id, message=_given(outcome))


def register(app: App, services: Services) -> None:
    intake, giving, gateway = services.intake, services.giving, services.gateway
    app.command("/kudos")(
        durable(
            intake,
            "kudos_command",
            handle_kudos_command,
            answer_with=gateway,
            giving=giving,
            standings=services.standings,
            gateway=gateway,
        )
    )
    app.action(ActionId.SEND_KUDOS)(
        durable(
            intake,
            "kudos_button",
            handle_send_kudos,
            answer_with=gateway,
            keep=keep_nothing,
            giving=giving,
            gateway=gateway,
        )
    )
    app.view(CallbackId.KUDOS_FOR_REQUEST)(
        durable(
            intake,
            "kudos_form",
            handle_kudos_submission,
            answer_with=gateway,
            validate=KudosForm.parse,
            giving=giving,
            gateway=gateway,
        )
    )
