"""The satisfaction pulse's buttons and comment modal, and the recovery loop's "Talk to a lead".

Answers redraw the pulse DM itself (the flow knows where it is); refusals are ephemeral.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import App

from bot.errors import FormErrors
from bot.ids import ActionId, CallbackId
from bot.satisfaction import messages
from bot.satisfaction.flows.ratings import Ratings
from bot.services import Services
from bot.slack import SlackGateway
from handlers.intake import durable, keep_nothing
from handlers.payloads import PulseButton, PulseCommentForm, RequestButton

SCORES = {action_id: score for score, action_id in messages.RATE_ACTIONS.items()}


def handle_rate(body: dict[str, Any], action: dict[str, Any], *, ratings: Ratings) -> None:
    button = PulseButton.parse(body, action)
    ratings.rate(
        team_id=button.team_id,
        user_id=button.user_id,
        pulse_id=button.pulse_id,
        score=SCORES[ActionId(action["action_id"])],
    )


def handle_change(body: dict[str, Any], action: dict[str, Any], *, ratings: Ratings) -> None:
    button = PulseButton.parse(body, action)
    ratings.show_question(team_id=button.team_id, user_id=button.user_id, pulse_id=button.pulse_id)


def handle_comment_button(
    body: dict[str, Any], action: dict[str, Any], *, ratings: Ratings, gateway: SlackGateway
) -> None:
    button = PulseButton.parse(body, action)
    request, existing = ratings.comment_form(
        team_id=button.team_id, user_id=button.user_id, pulse_id=button.pulse_id
    )
    view = messages.build_comment_modal(request, pulse_id=button.pulse_id, existing=existing)
    gateway.open_view(trigger_id=button.trigger_id, view=view)


def handle_talk_to_lead(
    body: dict[str, Any], action: dict[str, Any], *, ratings: Ratings, gateway: SlackGateway
) -> None:
    button = RequestButton.parse(body, action)
    asked = ratings.talk_to_lead(
        team_id=button.team_id, user_id=button.user_id, request_id=button.request_id
    )
    if button.response_url:
        answer = messages.build_talk_to_lead_sent(asked.leads, repeated=asked.repeated)
        gateway.reply_privately(button.response_url, answer, user_id=button.user_id)


def handle_comment_submission(body: dict[str, Any], *, ratings: Ratings) -> None:
    try:
        form = PulseCommentForm.parse(body)
    except FormErrors:
        return  # already answered inline by the ack
    ratings.save_comment(
        team_id=form.team_id, user_id=form.user_id, pulse_id=form.pulse_id, comment=form.comment
    )


def register(app: App, services: Services) -> None:
    intake, ratings, gateway = services.intake, services.ratings, services.gateway
    rate = durable(intake, "satisfaction_rate", handle_rate, answer_with=gateway, ratings=ratings)
    for action_id in SCORES:
        app.action(action_id)(rate)
    app.action(ActionId.PULSE_CHANGE)(
        durable(intake, "satisfaction_change", handle_change, answer_with=gateway, ratings=ratings)
    )
    app.action(ActionId.PULSE_COMMENT)(
        durable(
            intake,
            "satisfaction_comment_button",
            handle_comment_button,
            answer_with=gateway,
            keep=keep_nothing,
            ratings=ratings,
            gateway=gateway,
        )
    )
    app.action(ActionId.TALK_TO_LEAD)(
        durable(
            intake,
            "satisfaction_talk_to_lead",
            handle_talk_to_lead,
            answer_with=gateway,
            ratings=ratings,
            gateway=gateway,
        )
    )
    app.view(CallbackId.PULSE_COMMENT)(
        durable(
            intake,
            "satisfaction_comment",
            handle_comment_submission,
            answer_with=gateway,
            validate=PulseCommentForm.parse,
            ratings=ratings,
        )
    )
