"""The satisfaction pulse's buttons and comment modal, and the recovery loop's "Talk to a lead".

Answers redraw the pulse DM itself (the service knows where it is); refusals are ephemeral.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import App

from bot.blocks import satisfaction as blocks
from bot.blocks.ids import ActionId, CallbackId
from bot.errors import FormErrors
from bot.services.satisfaction import SatisfactionService
from bot.slack import SlackGateway
from handlers.errors import acknowledge, guarded, validating_ack
from handlers.payloads import PulseButton, PulseCommentForm, RequestButton

SCORES = {action_id: score for score, action_id in blocks.RATE_ACTIONS.items()}


def register(app: App, *, satisfaction: SatisfactionService, gateway: SlackGateway) -> None:
    guard = guarded(gateway)

    @guard
    def handle_rate(body: dict[str, Any], action: dict[str, Any]) -> None:
        button = PulseButton.parse(body, action)
        satisfaction.rate(
            team_id=button.team_id,
            user_id=button.user_id,
            pulse_id=button.pulse_id,
            score=SCORES[ActionId(action["action_id"])],
        )

    for action_id in SCORES:
        app.action(action_id)(ack=acknowledge, lazy=[handle_rate])

    @guard
    def handle_change(body: dict[str, Any], action: dict[str, Any]) -> None:
        button = PulseButton.parse(body, action)
        satisfaction.show_question(
            team_id=button.team_id, user_id=button.user_id, pulse_id=button.pulse_id
        )

    app.action(ActionId.PULSE_CHANGE)(ack=acknowledge, lazy=[handle_change])

    @guard
    def handle_comment_button(body: dict[str, Any], action: dict[str, Any]) -> None:
        button = PulseButton.parse(body, action)
        request, existing = satisfaction.comment_form(
            team_id=button.team_id, user_id=button.user_id, pulse_id=button.pulse_id
        )
        view = blocks.build_comment_modal(request, pulse_id=button.pulse_id, existing=existing)
        gateway.open_view(trigger_id=button.trigger_id, view=view)

    app.action(ActionId.PULSE_COMMENT)(ack=acknowledge, lazy=[handle_comment_button])

    @guard
    def handle_talk_to_lead(body: dict[str, Any], action: dict[str, Any]) -> None:
        button = RequestButton.parse(body, action)
        told = satisfaction.talk_to_lead(
            team_id=button.team_id, user_id=button.user_id, request_id=button.request_id
        )
        if button.response_url:
            gateway.respond(
                button.response_url,
                response_type="ephemeral",
                replace_original=False,
                **blocks.build_talk_to_lead_sent(told),
            )

    app.action(ActionId.TALK_TO_LEAD)(ack=acknowledge, lazy=[handle_talk_to_lead])

    @guard
    def handle_comment_submission(body: dict[str, Any]) -> None:
        try:
            form = PulseCommentForm.parse(body)
        except FormErrors:
            return  # already answered inline by the ack
        satisfaction.save_comment(
            team_id=form.team_id, user_id=form.user_id, pulse_id=form.pulse_id, comment=form.comment
        )

    app.view(CallbackId.PULSE_COMMENT)(
        ack=validating_ack(PulseCommentForm.parse), lazy=[handle_comment_submission]
    )
