"""The new-request form in Slack: drawn again with its questions when a department is chosen,
checked before the ack (errors inline, or drawn again when it asked other questions), and
filed. Its typed inputs are here, beside the listeners that read them."""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import partial
from typing import Any

from slack_bolt import App

from bot.blockkit import INPUT_MAX_LENGTH
from bot.errors import FormErrors, NotFound
from bot.forms.flows import RequestForm
from bot.forms.messages import REQUESTER_AUTHOR, SENSITIVE_VALUE
from bot.forms.rules import FormSource, FormState
from bot.ids import ActionId, BlockId, CallbackId
from bot.requests import messages
from bot.requests.from_messages.flows import MessageRequests
from bot.requests.rules import REQUEST_FILED_TAG, Urgency
from bot.services import Services
from bot.slack import MessageTag, SlackGateway
from bot.text import clean_input
from handlers.fields import (
    actor,
    dict_of,
    form_values,
    input_of,
    private_metadata,
    question_answers,
    selected,
    string,
    team_id_of,
    view_of,
)
from handlers.intake import durable, keep_nothing


def form_state(view: dict[str, Any]) -> FormState:
    """The new-request form as sent, unchecked: what a redrawn form keeps."""
    values = form_values(view)
    return FormState(
        department_key=selected(input_of(values, BlockId.DEPARTMENT, ActionId.DEPARTMENT)).strip(),
        text=clean_input(
            string(input_of(values, BlockId.DESCRIPTION, ActionId.DESCRIPTION).get("value"))
        ),
        urgency=selected(input_of(values, BlockId.URGENCY, ActionId.URGENCY)),
        answers=question_answers(values),
        sensitive=_ticked(input_of(values, BlockId.SENSITIVE, ActionId.SENSITIVE)),
        source=FormSource.from_stored(private_metadata(view).get("source")),
        for_author=selected(input_of(values, BlockId.REQUESTER, ActionId.REQUESTER))
        == REQUESTER_AUTHOR,
    )


def _ticked(checkboxes: dict[str, Any]) -> bool:
    chosen = checkboxes.get("selected_options")
    return isinstance(chosen, list) and any(
        dict_of(option).get("value") == SENSITIVE_VALUE for option in chosen
    )


def _origin_channel(view: dict[str, Any]) -> str | None:
    origin = private_metadata(view).get("channel")
    return origin if isinstance(origin, str) else None


def _drawn_with(view: dict[str, Any]) -> str:
    """The questions the form was drawn with (bot/forms/rules.py: form_version)."""
    drawn = private_metadata(view).get("form")
    return drawn if isinstance(drawn, str) else ""


@dataclass(frozen=True)
class NewRequestForm:
    team_id: str
    user_id: str
    view_id: str
    department_key: str
    text: str
    urgency: Urgency
    origin_channel_id: str | None
    # All it holds, the answers to departments' own questions included.
    state: FormState
    # The questions it was drawn with (bot/forms/rules.py: form_version).
    drawn: str

    @property
    def idempotency_key(self) -> str:
        # The same modal submitted twice (double click, retry) has the same view id.
        return f"view:{self.view_id}"

    @property
    def answers(self) -> dict[str, str]:
        """The answers to the chosen department's questions, unchecked."""
        return dict(self.state.answers.get(self.department_key, {}))

    @classmethod
    def parse(cls, body: dict[str, Any]) -> NewRequestForm:
        view = view_of(body)
        state = form_state(view)

        errors: dict[str, str] = {}
        department_key = state.department_key
        if not department_key:
            errors[BlockId.DEPARTMENT] = "Choose the department this is for."
        text = state.text.strip()
        if not text:
            errors[BlockId.DESCRIPTION] = "Describe what you need."
        elif len(text) > INPUT_MAX_LENGTH:
            errors[BlockId.DESCRIPTION] = f"Keep it under {INPUT_MAX_LENGTH} characters."
        urgency_value = state.urgency or Urgency.NORMAL
        if urgency_value not in {u.value for u in Urgency}:
            errors[BlockId.URGENCY] = "Choose normal or high."
        if errors:
            raise FormErrors(errors)

        return cls(
            team_id=team_id_of(body),
            user_id=actor(body),
            view_id=string(view.get("id")),
            department_key=department_key,
            text=text,
            urgency=Urgency(urgency_value),
            origin_channel_id=_origin_channel(view),
            state=state,
            drawn=_drawn_with(view),
        )


@dataclass(frozen=True)
class MessageShortcut:
    """The File a request shortcut, on one message."""

    team_id: str
    user_id: str
    channel_id: str
    trigger_id: str
    # The message as Slack sent it: its text, author, ts and replies count.
    message: dict[str, Any]

    @classmethod
    def parse(cls, body: dict[str, Any]) -> MessageShortcut:
        message = dict_of(body.get("message"))
        channel = string(dict_of(body.get("channel")).get("id"))
        if not channel or not string(message.get("ts")):
            raise NotFound("That message could not be read, so there is nothing to file.")
        return cls(
            team_id=team_id_of(body),
            user_id=actor(body),
            channel_id=channel,
            trigger_id=string(body.get("trigger_id"))[:200],
            message=message,
        )


@dataclass(frozen=True)
class DepartmentChosen:
    """A department chosen in the open new-request form, which is to be drawn again for it."""

    team_id: str
    view_id: str
    # The view as the choice found it: a redraw of an older one must not undo a newer.
    view_hash: str
    state: FormState
    origin_channel_id: str | None

    @classmethod
    def parse(cls, body: dict[str, Any], action: dict[str, Any]) -> DepartmentChosen:
        view = view_of(body)
        view_id = string(view.get("id"))
        if string(view.get("callback_id")) != CallbackId.NEW_REQUEST or not view_id:
            raise NotFound("That form is no longer open.")
        state = form_state(view)
        chosen = selected(dict_of(action)) or state.department_key
        return cls(
            team_id=team_id_of(body),
            view_id=view_id,
            view_hash=string(view.get("hash")),
            state=replace(state, department_key=chosen),
            origin_channel_id=_origin_channel(view),
        )


def handle_department_chosen(
    body: dict[str, Any],
    action: dict[str, Any],
    *,
    request_form: RequestForm,
    gateway: SlackGateway,
) -> None:
    chosen = DepartmentChosen.parse(body, action)
    view = request_form.redraw(
        team_id=chosen.team_id, state=chosen.state, origin_channel_id=chosen.origin_channel_id
    )
    gateway.update_view(view_id=chosen.view_id, view_hash=chosen.view_hash, view=view)


def check_new_request(body: dict[str, Any], *, request_form: RequestForm) -> None:
    """Before the ack: every error of the form at once, its questions' included; or the form
    drawn again (FormOutdated) when it asked other questions than its department does now."""
    try:
        NewRequestForm.parse(body)
        errors: dict[str, str] = {}
    except FormErrors as invalid:
        errors = invalid.errors
    view = view_of(body)
    errors |= request_form.errors(
        team_id=team_id_of(body),
        state=form_state(view),
        drawn=_drawn_with(view),
        origin_channel_id=_origin_channel(view),
    )
    if errors:
        raise FormErrors(errors)


def handle_new_request_submission(
    body: dict[str, Any], *, message_requests: MessageRequests, gateway: SlackGateway
) -> None:
    try:
        form = NewRequestForm.parse(body)
    except FormErrors:
        return  # already answered inline by the ack
    outcome = message_requests.file_from_form(
        filer_id=form.user_id,
        source=form.state.source,
        for_author=form.state.for_author,
        team_id=form.team_id,
        department_key=form.department_key,
        text=form.text,
        urgency=form.urgency,
        idempotency_key=form.idempotency_key,
        answers=form.answers,
        sensitive=form.state.sensitive,
    )
    message = messages.build_filed_confirmation(outcome.request, card_posted=outcome.card_posted)
    # Once per request: a repeated submission finds the confirmation already sent, and one
    # whose process died before sending it sends it now.
    gateway.try_send(
        "request.confirmation_failed",
        lambda: gateway.post_once(
            channel=form.user_id,
            message=message,
            tag=MessageTag(REQUEST_FILED_TAG, outcome.request.id),
            resumed=not outcome.created,
        ),
        request_id=outcome.request.id,
    )


def register(app: App, services: Services) -> None:
    register_shortcut(app, services)
    intake, gateway = services.intake, services.gateway
    app.action(ActionId.DEPARTMENT)(
        durable(
            intake,
            "request_department_chosen",
            handle_department_chosen,
            answer_with=gateway,
            # It only draws the form again: nothing to keep.
            keep=keep_nothing,
            request_form=services.request_form,
            gateway=gateway,
        )
    )
    app.view(CallbackId.NEW_REQUEST)(
        durable(
            intake,
            "request_form",
            handle_new_request_submission,
            answer_with=gateway,
            validate=partial(check_new_request, request_form=services.request_form),
            message_requests=services.message_requests,
            gateway=gateway,
        )
    )


def handle_file_from_message(
    body: dict[str, Any], *, message_requests: MessageRequests, gateway: SlackGateway
) -> None:
    """The File a request shortcut on a message: the form, with the message in it."""
    shortcut = MessageShortcut.parse(body)
    form = message_requests.form(
        team_id=shortcut.team_id,
        user_id=shortcut.user_id,
        channel_id=shortcut.channel_id,
        message=shortcut.message,
    )
    gateway.open_view(trigger_id=shortcut.trigger_id, view=form)


def register_shortcut(app: App, services: Services) -> None:
    app.shortcut(CallbackId.FILE_FROM_MESSAGE)(
        durable(
            services.intake,
            "request_from_message",
            handle_file_from_message,
            answer_with=services.gateway,
            # It only opens the form: nothing to keep.
            keep=keep_nothing,
            message_requests=services.message_requests,
            gateway=services.gateway,
        )
    )
