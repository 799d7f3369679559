"""`/kudos`, and the "Send kudos" button of a resolved request with its modal.

Refusals are ephemeral and quote what was written, so nothing typed is lost.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import App

from bot.blocks import kudos as blocks
from bot.blocks.ids import ActionId, CallbackId
from bot.domain.kudos import KudosSubcommand, parse_subcommand
from bot.errors import FormErrors, UserError
from bot.services.recognition import KUDOS_OFF, GiveOutcome, Recognition
from bot.slack import Message, SlackGateway
from handlers.errors import acknowledge, guarded, validating_ack
from handlers.kudos_text import parse_kudos
from handlers.payloads import KudosForm, RequestButton, SlashCommand


def _given(outcome: GiveOutcome) -> Message:
    return blocks.build_given(
        outcome.shoutout,
        channel_id=outcome.channel_id,
        left=outcome.left,
        limit=outcome.limit,
        posted=outcome.posted,
    )


def register(app: App, *, recognition: Recognition, gateway: SlackGateway) -> None:
    guard = guarded(gateway)
    policy = recognition.policy

    @guard
    def handle_kudos_command(body: dict[str, Any], command: dict[str, Any]) -> None:
        slash = SlashCommand.parse(command)

        def _ephemeral(message: Message) -> None:
            gateway.respond(
                slash.response_url, response_type="ephemeral", replace_original=False, **message
            )

        subcommand = parse_subcommand(slash.raw_text)
        if not policy.channel_id and subcommand is not KudosSubcommand.HELP:
            _ephemeral(blocks.build_refusal(KUDOS_OFF, slash.text))
            return
        if subcommand is KudosSubcommand.HELP:
            _ephemeral(
                blocks.build_help(
                    values=policy.values, limit=policy.daily_limit, emoji=policy.emoji
                )
            )
            return
        if subcommand is KudosSubcommand.STATUS:
            status = recognition.status(team_id=slash.team_id, user_id=slash.user_id)
            _ephemeral(
                blocks.build_status(
                    left=status.left,
                    limit=status.limit,
                    resets_at=status.resets_at,
                    recent=status.recent,
                    emoji=policy.emoji,
                )
            )
            return
        if subcommand is KudosSubcommand.TOP:
            top = recognition.top(team_id=slash.team_id, user_id=slash.user_id)
            _ephemeral(
                blocks.build_top(month=top.month, tally=top.tally, departments=top.departments)
            )
            return
        try:
            outcome = recognition.give(
                team_id=slash.team_id,
                giver_id=slash.user_id,
                draft=parse_kudos(slash.raw_text, policy.values),
                idempotency_key=slash.idempotency_key,
            )
        except UserError as refusal:
            _ephemeral(blocks.build_refusal(refusal.message, slash.text))
            return
        _ephemeral(_given(outcome))

    app.command("/kudos")(ack=acknowledge, lazy=[handle_kudos_command])

    @guard
    def handle_send_kudos(body: dict[str, Any], action: dict[str, Any]) -> None:
        button = RequestButton.parse(body, action)
        form = recognition.request_form(
            team_id=button.team_id, user_id=button.user_id, request_id=button.request_id
        )
        view = blocks.build_request_modal(
            form.request,
            recipient_id=form.recipient_id,
            recipient_name=form.recipient_name,
            values=policy.values,
        )
        gateway.open_view(trigger_id=str(body.get("trigger_id") or ""), view=view)

    app.action(ActionId.SEND_KUDOS)(ack=acknowledge, lazy=[handle_send_kudos])

    @guard
    def handle_kudos_submission(body: dict[str, Any]) -> None:
        try:
            form = KudosForm.parse(body)
        except FormErrors:
            return  # already answered inline by the ack
        try:
            outcome = recognition.give_for_request(
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
                channel=form.user_id, message=blocks.build_refusal(refusal.message, form.message)
            )
            return
        gateway.post_message(channel=form.user_id, message=_given(outcome))

    app.view(CallbackId.KUDOS_FOR_REQUEST)(
        ack=validating_ack(KudosForm.parse), lazy=[handle_kudos_submission]
    )
