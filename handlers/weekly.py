"""The weekly pulse: `/pulse` (status, opting out and back in) and the answer buttons."""

from __future__ import annotations

from typing import Any

from slack_bolt import App

from bot.blocks import weekly as blocks
from bot.blocks.ids import WEEKLY_ANSWER_PATTERN, ActionId, CallbackId
from bot.errors import FormErrors
from bot.services.weekly_pulse import WeeklyPulse
from bot.slack import SlackGateway
from handlers.errors import acknowledge, guarded, validating_ack
from handlers.payloads import (
    SlashCommand,
    WeeklyAnswerButton,
    WeeklyCommentButton,
    WeeklyCommentForm,
)

OPT_WORDS = {"off": True, "on": False}


def register(app: App, *, weekly_pulse: WeeklyPulse, gateway: SlackGateway) -> None:
    @guarded(gateway)
    def handle_pulse_command(body: dict[str, Any], command: dict[str, Any]) -> None:
        slash = SlashCommand.parse(command)
        word = slash.text.strip().lower()
        if word in OPT_WORDS:
            status = weekly_pulse.set_opted_out(
                team_id=slash.team_id, user_id=slash.user_id, opted_out=OPT_WORDS[word]
            )
        elif word in ("", "status"):
            status = weekly_pulse.status(team_id=slash.team_id, user_id=slash.user_id)
        else:
            message = blocks.build_pulse_help()
            gateway.respond(
                slash.response_url, response_type="ephemeral", replace_original=False, **message
            )
            return
        message = blocks.build_pulse_status(
            opted_out=status.opted_out,
            next_due=status.next_due,
            minimum=status.anonymity_minimum,
        )
        gateway.respond(
            slash.response_url, response_type="ephemeral", replace_original=False, **message
        )

    app.command("/pulse")(ack=acknowledge, lazy=[handle_pulse_command])

    @guarded(gateway)
    def handle_weekly_answer(body: dict[str, Any], action: dict[str, Any]) -> None:
        button = WeeklyAnswerButton.parse(body, action)
        weekly_pulse.answer(
            team_id=button.team_id,
            user_id=button.user_id,
            delivery_id=button.delivery_id,
            index=button.index,
            score=button.score,
        )

    app.action(WEEKLY_ANSWER_PATTERN)(ack=acknowledge, lazy=[handle_weekly_answer])

    @guarded(gateway)
    def handle_comment_button(body: dict[str, Any], action: dict[str, Any]) -> None:
        button = WeeklyCommentButton.parse(body, action)
        topics = weekly_pulse.comment_topics(
            team_id=button.team_id, user_id=button.user_id, delivery_id=button.delivery_id
        )
        view = blocks.build_weekly_comment_modal(
            delivery_id=button.delivery_id,
            departments=topics,
            minimum=weekly_pulse.anonymity_minimum,
        )
        gateway.open_view(trigger_id=button.trigger_id, view=view)

    app.action(ActionId.WEEKLY_COMMENT)(ack=acknowledge, lazy=[handle_comment_button])

    @guarded(gateway)
    def handle_comment_submission(body: dict[str, Any]) -> None:
        try:
            form = WeeklyCommentForm.parse(body)
        except FormErrors:
            return  # already answered inline by the ack
        weekly_pulse.comment(
            team_id=form.team_id,
            user_id=form.user_id,
            delivery_id=form.delivery_id,
            department_id=form.department_id,
            text=form.text,
        )

    app.view(CallbackId.WEEKLY_COMMENT)(
        ack=validating_ack(WeeklyCommentForm.parse), lazy=[handle_comment_submission]
    )
