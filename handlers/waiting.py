"""Waiting on the requester: the card's button opens the agent's form, whose question goes to
the requester; the card's Stop waiting is a lifecycle button like the others."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from slack_bolt import App

from bot.errors import FormErrors, NotAllowed
from bot.ids import ActionId, BlockId, CallbackId
from bot.requests.rules import RequestAction, Role
from bot.requests.waiting import messages
from bot.requests.waiting.flows import Waiting
from bot.services import Services
from bot.slack import SlackGateway
from bot.text import clean_input
from handlers.fields import (
    actor,
    form_values,
    input_of,
    metadata_id,
    string,
    team_id_of,
    view_of,
)
from handlers.intake import durable, keep_nothing
from handlers.payloads import RequestButton


@dataclass(frozen=True)
class WaitForm:
    team_id: str
    user_id: str
    view_id: str
    request_id: int
    question: str

    @property
    def idempotency_key(self) -> str:
        return f"view:{self.view_id}"

    @classmethod
    def parse(cls, body: dict[str, Any]) -> WaitForm:
        view = view_of(body)
        request_id = metadata_id(view, "request_id", gone="That request is gone.")
        typed = input_of(form_values(view), BlockId.WAIT_QUESTION, ActionId.WAIT_QUESTION)
        question = clean_input(string(typed.get("value"))).strip()
        if len(question) > messages.QUESTION_MAX_LENGTH:
            raise FormErrors(
                {BlockId.WAIT_QUESTION: f"Keep it under {messages.QUESTION_MAX_LENGTH} characters."}
            )
        return cls(
            team_id=team_id_of(body),
            user_id=actor(body),
            view_id=string(view.get("id"))[:200],
            request_id=request_id,
            question=question,
        )


def handle_wait_button(
    body: dict[str, Any], action: dict[str, Any], *, waiting: Waiting, gateway: SlackGateway
) -> None:
    button = RequestButton.parse(body, action)
    request = waiting.request(team_id=button.team_id, request_id=button.request_id)
    if Role.AGENT not in waiting.roles_for(request, button.user_id, RequestAction.WAIT):
        raise NotAllowed(
            f"Sorry, only the department's agents can wait on the requester of {request.reference}."
        )
    gateway.open_view(trigger_id=button.trigger_id, view=messages.build_wait_modal(request))


def handle_wait_submission(body: dict[str, Any], *, waiting: Waiting) -> None:
    try:
        form = WaitForm.parse(body)
    except FormErrors:
        return  # already answered inline by the ack
    waiting.ask(
        team_id=form.team_id,
        request_id=form.request_id,
        agent_id=form.user_id,
        question=form.question,
        idempotency_key=form.idempotency_key,
    )


def register(app: App, services: Services) -> None:
    intake, waiting, gateway = services.intake, services.waiting, services.gateway
    app.action(ActionId.WAIT)(
        durable(
            intake,
            "request_wait_button",
            handle_wait_button,
            answer_with=gateway,
            keep=keep_nothing,
            waiting=waiting,
            gateway=gateway,
        )
    )
    app.view(CallbackId.WAIT_ON_REQUESTER)(
        durable(
            intake,
            "request_wait_form",
            handle_wait_submission,
            answer_with=gateway,
            validate=WaitForm.parse,
            # The question is only in the form: a failure after the wait began is tried
            # again, and the wait and its messages are each made once.
            retried=True,
            waiting=waiting,
        )
    )
