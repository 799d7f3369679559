"""The weekly pulse answered back, from App Home: a lead's Share what we're doing and Reply
to an anonymous comment, each a button that opens a form and the form's submission."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from slack_bolt import App

from bot.errors import FormErrors, NotFound
from bot.home.flows import Home
from bot.ids import (
    ActionId,
    BlockId,
    CallbackId,
    decode_department_id,
    decode_weekly_comment,
)
from bot.services import Services
from bot.slack import SlackGateway
from bot.text import clean_input
from bot.weekly.comments.flows import Replies
from bot.weekly.comments.rules import REPLY_TEXT_MAX
from bot.weekly.updates.flows import SharedUpdates
from bot.weekly.updates.rules import SHARE_TEXT_MAX
from handlers.fields import (
    actor,
    form_values,
    input_of,
    metadata_id,
    private_metadata,
    string,
    team_id_of,
    view_of,
)
from handlers.intake import durable, keep_nothing


def _text(values: dict[str, Any], block_id: str, action_id: str, *, limit: int, ask: str) -> str:
    text = clean_input(string(input_of(values, block_id, action_id).get("value"))).strip()
    if not text:
        raise FormErrors({block_id: ask})
    if len(text) > limit:
        raise FormErrors({block_id: f"Keep it under {limit} characters."})
    return text


@dataclass(frozen=True)
class HomeButton:
    team_id: str
    user_id: str
    trigger_id: str
    value: str

    @classmethod
    def parse(cls, body: dict[str, Any], action: dict[str, Any]) -> HomeButton:
        return cls(
            team_id=team_id_of(body),
            user_id=actor(body),
            trigger_id=string(body.get("trigger_id")),
            value=string(action.get("value")),
        )


@dataclass(frozen=True)
class ShareForm:
    team_id: str
    user_id: str
    view_id: str
    department_id: int
    text: str

    @classmethod
    def parse(cls, body: dict[str, Any]) -> ShareForm:
        view = view_of(body)
        text = _text(
            form_values(view),
            BlockId.WEEKLY_SHARE_TEXT,
            ActionId.WEEKLY_SHARE_TEXT,
            limit=SHARE_TEXT_MAX,
            ask="Write what your team is doing, or cancel.",
        )
        department_id = metadata_id(
            view, "department", gone="That form no longer points at a department."
        )
        return cls(team_id_of(body), actor(body), string(view.get("id")), department_id, text)


@dataclass(frozen=True)
class ReplyForm:
    team_id: str
    user_id: str
    view_id: str
    comment_id: str
    text: str

    @classmethod
    def parse(cls, body: dict[str, Any]) -> ReplyForm:
        view = view_of(body)
        text = _text(
            form_values(view),
            BlockId.WEEKLY_REPLY_TEXT,
            ActionId.WEEKLY_REPLY_TEXT,
            limit=REPLY_TEXT_MAX,
            ask="Write a reply, or cancel.",
        )
        comment_id = decode_weekly_comment(private_metadata(view).get("comment"))
        if comment_id is None:
            raise NotFound("That form no longer points at a comment.")
        view_id = string(view.get("id"))
        if not view_id:
            raise NotFound("That form came without its id, so nothing was sent.")
        return cls(team_id_of(body), actor(body), view_id, comment_id, text)


def handle_share_button(
    body: dict[str, Any], action: dict[str, Any], *, updates: SharedUpdates, gateway: SlackGateway
) -> None:
    button = HomeButton.parse(body, action)
    department_id = decode_department_id(button.value)
    if department_id is None:
        raise NotFound("That button no longer points at a department.")
    view = updates.share_form(
        team_id=button.team_id, user_id=button.user_id, department_id=department_id
    )
    gateway.open_view(trigger_id=button.trigger_id, view=view)


def handle_share_submission(body: dict[str, Any], *, updates: SharedUpdates, home: Home) -> None:
    try:
        form = ShareForm.parse(body)
    except FormErrors:
        return  # already answered inline by the ack
    updates.share(
        team_id=form.team_id,
        user_id=form.user_id,
        department_id=form.department_id,
        text=form.text,
        view_id=form.view_id,
    )
    home.publish(team_id=form.team_id, user_id=form.user_id)


def handle_reply_button(
    body: dict[str, Any], action: dict[str, Any], *, replies: Replies, gateway: SlackGateway
) -> None:
    button = HomeButton.parse(body, action)
    comment_id = decode_weekly_comment(button.value)
    if comment_id is None:
        raise NotFound("That button no longer points at a comment.")
    view = replies.reply_form(team_id=button.team_id, user_id=button.user_id, comment_id=comment_id)
    gateway.open_view(trigger_id=button.trigger_id, view=view)


def handle_reply_submission(body: dict[str, Any], *, replies: Replies) -> None:
    try:
        form = ReplyForm.parse(body)
    except FormErrors:
        return  # already answered inline by the ack
    replies.reply(
        team_id=form.team_id,
        user_id=form.user_id,
        comment_id=form.comment_id,
        text=form.text,
        view_id=form.view_id,
    )


def register(app: App, services: Services) -> None:
    intake, gateway = services.intake, services.gateway
    app.action(ActionId.WEEKLY_SHARE)(
        durable(
            intake,
            "weekly_share_button",
            handle_share_button,
            answer_with=gateway,
            keep=keep_nothing,
            updates=services.shared_updates,
            gateway=gateway,
        )
    )
    app.view(CallbackId.WEEKLY_SHARE)(
        durable(
            intake,
            "weekly_share",
            handle_share_submission,
            answer_with=gateway,
            validate=ShareForm.parse,
            updates=services.shared_updates,
            home=services.home,
        )
    )
    app.action(ActionId.WEEKLY_REPLY)(
        durable(
            intake,
            "weekly_reply_button",
            handle_reply_button,
            answer_with=gateway,
            keep=keep_nothing,
            replies=services.replies,
            gateway=gateway,
        )
    )
    app.view(CallbackId.WEEKLY_REPLY)(
        durable(
            intake,
            "weekly_reply",
            handle_reply_submission,
            answer_with=gateway,
            validate=ReplyForm.parse,
            replies=services.replies,
        )
    )
