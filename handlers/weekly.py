"""The weekly pulse: `/pulse` (status, opting out and back in), the answer buttons and the
comment modal."""

from __future__ import annotations

from typing import Any

from slack_bolt import App

from bot.errors import FormErrors
from bot.ids import WEEKLY_ANSWER_PATTERN, ActionId, CallbackId
from bot.services import Services
from bot.slack import SlackGateway
from bot.weekly import messages
from bot.weekly.flows.answers import Answers
from bot.weekly.flows.preferences import Preferences
from handlers.errors import acknowledge, bind, validating_ack
from handlers.payloads import (
    SlashCommand,
    WeeklyAnswerButton,
    WeeklyCommentButton,
    WeeklyCommentForm,
)

OPT_WORDS = {"off": True, "on": False}


def handle_pulse_command(
    body: dict[str, Any],
    command: dict[str, Any],
    *,
    preferences: Preferences,
    gateway: SlackGateway,
) -> None:
    slash = SlashCommand.parse(command)
    word = slash.text.strip().lower()
    if word in OPT_WORDS:
        status = preferences.set_opted_out(
            team_id=slash.team_id, user_id=slash.user_id, opted_out=OPT_WORDS[word]
        )
    elif word in ("", "status"):
        status = preferences.status(team_id=slash.team_id, user_id=slash.user_id)
    else:
        gateway.reply_privately(slash.response_url, messages.build_pulse_help())
        return
    message = messages.build_pulse_status(
        opted_out=status.opted_out, next_due=status.next_due, minimum=status.anonymity_minimum
    )
    gateway.reply_privately(slash.response_url, message)


def handle_weekly_answer(body: dict[str, Any], action: dict[str, Any], *, answers: Answers) -> None:
    button = WeeklyAnswerButton.parse(body, action)
    answers.answer(
        team_id=button.team_id,
        user_id=button.user_id,
        delivery_id=button.delivery_id,
        index=button.index,
        score=button.score,
    )


def handle_comment_button(
    body: dict[str, Any], action: dict[str, Any], *, answers: Answers, gateway: SlackGateway
) -> None:
    button = WeeklyCommentButton.parse(body, action)
    topics = answers.comment_topics(
        team_id=button.team_id, user_id=button.user_id, delivery_id=button.delivery_id
    )
    view = messages.build_weekly_comment_modal(
        delivery_id=button.delivery_id, departments=topics, minimum=answers.anonymity_minimum
    )
    gateway.open_view(trigger_id=button.trigger_id, view=view)


def handle_comment_submission(body: dict[str, Any], *, answers: Answers) -> None:
    try:
        form = WeeklyCommentForm.parse(body)
    except FormErrors:
        return  # already answered inline by the ack
    answers.comment(
        team_id=form.team_id,
        user_id=form.user_id,
        delivery_id=form.delivery_id,
        department_id=form.department_id,
        text=form.text,
    )


def register(app: App, services: Services) -> None:
    answers, gateway = services.answers, services.gateway
    command = bind(
        handle_pulse_command, answer_with=gateway, preferences=services.preferences, gateway=gateway
    )
    app.command("/pulse")(ack=acknowledge, lazy=[command])
    answer = bind(handle_weekly_answer, answer_with=gateway, answers=answers)
    app.action(WEEKLY_ANSWER_PATTERN)(ack=acknowledge, lazy=[answer])
    comment = bind(handle_comment_button, answer_with=gateway, answers=answers, gateway=gateway)
    app.action(ActionId.WEEKLY_COMMENT)(ack=acknowledge, lazy=[comment])
    submission = bind(handle_comment_submission, answer_with=gateway, answers=answers)
    app.view(CallbackId.WEEKLY_COMMENT)(
        ack=validating_ack(WeeklyCommentForm.parse), lazy=[submission]
    )
