"""Modal submissions."""

from __future__ import annotations

from typing import Any

from slack_bolt import App

from bot.blocks import requests as blocks
from bot.blocks.ids import CallbackId
from bot.errors import FormErrors
from bot.services.desk import RequestDesk
from bot.slack import SlackGateway
from handlers.errors import guarded, validating_ack
from handlers.payloads import NewRequestForm


def register(app: App, *, desk: RequestDesk, gateway: SlackGateway) -> None:
    @guarded(gateway)
    def handle_new_request_submission(body: dict[str, Any]) -> None:
        try:
            form = NewRequestForm.parse(body)
        except FormErrors:
            return  # already answered inline by the ack
        outcome = desk.file_request(
            team_id=form.team_id,
            requester_id=form.user_id,
            department_key=form.department_key,
            text=form.text,
            urgency=form.urgency,
            idempotency_key=form.idempotency_key,
        )
        if outcome.created:
            message = blocks.build_filed_confirmation(
                outcome.request, card_posted=outcome.card_posted
            )
            gateway.try_send(
                "request.confirmation_failed",
                lambda: gateway.post_message(channel=form.user_id, message=message),
                request_id=outcome.request.id,
            )

    app.view(CallbackId.NEW_REQUEST)(
        ack=validating_ack(NewRequestForm.parse), lazy=[handle_new_request_submission]
    )
