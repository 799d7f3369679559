"""The weekly pulse: `/pulse` (status, opting out and back in), the answer buttons and the
comment modal."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import App
from slack_bolt.request.payload_utils import to_action

from bot.errors import FormErrors, UserError
from bot.ids import WEEKLY_ANSWER_PATTERN, ActionId, CallbackId
from bot.services import Services
from bot.slack import SlackGateway
from bot.weekly import messages
from bot.weekly.flows.answers import Answers
from bot.weekly.flows.preferences import Preferences
from handlers.intake import durable, keep_nothing
from handlers.payloads import (
    SlashCommand,
    WeeklyAnswerButton,
    WeeklyAnsweredButton,
    WeeklyCommentButton,
    WeeklyCommentForm,
    without_score,
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
        gateway.reply_privately(
            slash.response_url, messages.build_pulse_help(), user_id=slash.user_id
        )
        return
    message = messages.build_pulse_status(
        opted_out=status.opted_out, next_due=status.next_due, minimum=status.anonymity_minimum
    )
    gateway.reply_privately(slash.response_url, message, user_id=slash.user_id)


def handle_weekly_answer(body: dict[str, Any], action: dict[str, Any], *, answers: Answers) -> None:
    """After the answer was stored in the ack: the DM redrawn to show it answered."""
    button = WeeklyAnsweredButton.parse(body, action)
    answers.show_answered(
        team_id=button.team_id, user_id=button.user_id, delivery_id=button.delivery_id
    )


def handle_comment_button(
    body: dict[str, Any], action: dict[str, Any], *, answers: Answers, gateway: SlackGateway
) -> None:
    button = WeeklyCommentButton.parse(body, action)
    topics = answers.comment_topics(
        team_id=button.team_id, user_id=button.user_id, delivery_id=button.delivery_id
    )
    view = messages.build_weekly_comment_modal(
        delivery_id=button.delivery_id,
        departments=topics,
        minimum=answers.anonymity_minimum,
        replies_offered=answers.replies_offered,
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
        reply=form.reply,
    )


def record_answer_before_ack(answers: Answers) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """A weekly answer is stored in the ack path itself, so the job that redraws the DM
    keeps no score: the jobs table must not pair a person with what they answered."""

    def record(body: dict[str, Any]) -> dict[str, Any]:
        try:
            button = WeeklyAnswerButton.parse(body, to_action(body) or {})
            answers.record(
                team_id=button.team_id,
                user_id=button.user_id,
                delivery_id=button.delivery_id,
                index=button.index,
                score=button.score,
            )
        except UserError:
            pass  # the redraw, run as a job, meets the same refusal and answers it
        return without_score(body)

    return record


def register(app: App, services: Services) -> None:
    intake, answers, gateway = services.intake, services.answers, services.gateway
    app.command("/pulse")(
        durable(
            intake,
            "pulse_command",
            handle_pulse_command,
            answer_with=gateway,
            preferences=services.preferences,
            gateway=gateway,
        )
    )
    app.action(WEEKLY_ANSWER_PATTERN)(
        durable(
            intake,
            "weekly_answer",
            handle_weekly_answer,
            answer_with=gateway,
            before_ack=record_answer_before_ack(answers),
            answers=answers,
        )
    )
    app.action(ActionId.WEEKLY_COMMENT)(
        durable(
            intake,
            "weekly_comment_button",
            handle_comment_button,
            answer_with=gateway,
            keep=keep_nothing,
            answers=answers,
            gateway=gateway,
        )
    )
    app.view(CallbackId.WEEKLY_COMMENT)(
        durable(
            intake,
            "weekly_comment",
            handle_comment_submission,
            answer_with=gateway,
            validate=WeeklyCommentForm.parse,
            answers=answers,
        )
    )
