"""Slack payloads parsed once into typed inputs, so listeners never dig through raw dicts."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from bot.errors import FormErrors, NotFound
from bot.ids import (
    WEEKLY_ANSWER_PATTERN,
    WEEKLY_ANSWERED,
    ActionId,
    BlockId,
    decode_card_actions_block_id,
    decode_pulse_id,
    decode_request_id,
    decode_weekly_delivery,
    decode_weekly_question,
    parse_id,
)
from bot.kudos.rules import MESSAGE_MAX as KUDOS_MESSAGE_MAX
from bot.reactions import Reaction
from bot.text import clean_input, slack_to_plain
from bot.weekly.messages import REPLY_CHOICE as WEEKLY_REPLY_CHOICE
from bot.weekly.rules import GENERAL_TOPIC
from handlers.fields import (
    actor,
    comment_text,
    dict_of,
    form_values,
    input_of,
    metadata_id,
    response_url_of,
    selected,
    string,
    team_id_of,
    view_of,
)


@dataclass(frozen=True)
class SlashCommand:
    team_id: str
    user_id: str
    channel_id: str
    # Plain text, Slack's markup decoded.
    text: str
    trigger_id: str
    response_url: str
    # As Slack sent it, mentions and entities included, for commands that read mentions.
    raw_text: str = ""

    @classmethod
    def parse(cls, command: dict[str, Any]) -> SlashCommand:
        raw = clean_input(string(command.get("text")))
        user_id = string(command.get("user_id"))
        if not user_id:
            raise NotFound("That command came without a user, so there is nothing to do with it.")
        return cls(
            team_id=string(command.get("team_id")),
            user_id=user_id,
            channel_id=string(command.get("channel_id")),
            text=slack_to_plain(raw),
            trigger_id=string(command.get("trigger_id"))[:200],
            response_url=response_url_of(command.get("response_url")),
            raw_text=raw,
        )

    @property
    def idempotency_key(self) -> str:
        # Every invocation has its own trigger_id; a redelivery carries the same one.
        return f"command:{self.trigger_id or uuid.uuid4().hex}"


@dataclass(frozen=True)
class RequestButton:
    team_id: str
    user_id: str
    request_id: int
    selected_user: str | None
    # None when the click came from the App Home tab, which has no response_url.
    response_url: str | None
    trigger_id: str = ""

    @property
    def idempotency_key(self) -> str | None:
        # Each click has its own trigger_id; the same click run again has the same one.
        return f"click:{self.trigger_id}" if self.trigger_id else None

    @classmethod
    def parse(cls, body: dict[str, Any], action: dict[str, Any]) -> RequestButton:
        request_id = decode_request_id(action.get("value")) or decode_card_actions_block_id(
            action.get("block_id")
        )
        if request_id is None:
            raise NotFound("That button no longer points at a request.")
        return cls(
            team_id=team_id_of(body),
            user_id=actor(body),
            request_id=request_id,
            selected_user=string(action.get("selected_user")) or None,
            response_url=string(body.get("response_url")) or None,
            trigger_id=string(body.get("trigger_id"))[:200],
        )


@dataclass(frozen=True)
class PulseButton:
    team_id: str
    user_id: str
    pulse_id: int
    trigger_id: str

    @classmethod
    def parse(cls, body: dict[str, Any], action: dict[str, Any]) -> PulseButton:
        pulse_id = decode_pulse_id(action.get("value"))
        if pulse_id is None:
            raise NotFound("That button no longer points at a survey.")
        return cls(
            team_id=team_id_of(body),
            user_id=actor(body),
            pulse_id=pulse_id,
            trigger_id=string(body.get("trigger_id")),
        )


@dataclass(frozen=True)
class PulseCommentForm:
    team_id: str
    user_id: str
    pulse_id: int
    comment: str

    @classmethod
    def parse(cls, body: dict[str, Any]) -> PulseCommentForm:
        view = view_of(body)
        values = form_values(view)
        comment = comment_text(values, BlockId.PULSE_COMMENT, ActionId.PULSE_COMMENT_TEXT)
        pulse_id = metadata_id(
            view, "pulse", gone="That comment form no longer points at a survey."
        )
        return cls(
            team_id=team_id_of(body),
            user_id=actor(body),
            pulse_id=pulse_id,
            comment=comment,
        )


@dataclass(frozen=True)
class KudosForm:
    """The kudos modal of a resolved request: an optional message and value."""

    team_id: str
    user_id: str
    view_id: str
    request_id: int
    message: str
    value: str | None

    @property
    def idempotency_key(self) -> str:
        return f"view:{self.view_id}"

    @classmethod
    def parse(cls, body: dict[str, Any]) -> KudosForm:
        view = view_of(body)
        values = form_values(view)
        message_input = input_of(values, BlockId.KUDOS_MESSAGE, ActionId.KUDOS_MESSAGE)
        value_input = input_of(values, BlockId.KUDOS_VALUE, ActionId.KUDOS_VALUE)
        message = clean_input(string(message_input.get("value"))).strip()
        if len(message) > KUDOS_MESSAGE_MAX:
            raise FormErrors(
                {BlockId.KUDOS_MESSAGE: f"Keep it under {KUDOS_MESSAGE_MAX} characters."}
            )
        value = selected(value_input)
        request_id = metadata_id(
            view, "request", gone="That kudos form no longer points at a request."
        )
        return cls(
            team_id=team_id_of(body),
            user_id=actor(body),
            view_id=string(view.get("id")),
            request_id=request_id,
            message=message,
            value=value or None,
        )


def parse_reaction(body: dict[str, Any], *, added: bool) -> Reaction | None:
    """A reaction to a message, or None for reactions to files and the like."""
    event = dict_of(body.get("event"))
    item = dict_of(event.get("item"))
    channel, ts = string(item.get("channel")), string(item.get("ts"))
    if item.get("type") != "message" or not channel or not ts:
        return None
    event_ts = string(event.get("event_ts"))
    user = string(event.get("user"))
    return Reaction(
        team_id=string(body.get("team_id")),
        event_id=string(body.get("event_id"))[:64] or f"{event_ts}:{user}"[:64],
        user_id=user,
        reaction=string(event.get("reaction")),
        channel_id=channel,
        ts=ts,
        added=added,
        event_ts=event_ts or None,
        item_user=string(event.get("item_user")) or None,
    )


@dataclass(frozen=True)
class WeeklyAnswerButton:
    team_id: str
    user_id: str
    delivery_id: int
    index: int
    score: int

    @classmethod
    def parse(cls, body: dict[str, Any], action: dict[str, Any]) -> WeeklyAnswerButton:
        question = decode_weekly_question(action.get("value"))
        match = WEEKLY_ANSWER_PATTERN.match(string(action.get("action_id")))
        if question is None or match is None:
            raise NotFound("That button no longer points at a pulse question.")
        return cls(
            team_id=team_id_of(body),
            user_id=actor(body),
            delivery_id=question[0],
            index=question[1],
            score=int(match.group(1)),
        )


def without_score(body: dict[str, Any]) -> dict[str, Any]:
    """A weekly answer's payload as it may be kept: the question it answered, not the score
    (neither the button's action id nor its label)."""
    actions = body.get("actions")
    kept = dict(body)
    kept["actions"] = [
        {"type": "button", "action_id": WEEKLY_ANSWERED, "value": action.get("value")}
        for action in (actions if isinstance(actions, list) else [])
        if isinstance(action, dict)
    ]
    return kept


@dataclass(frozen=True)
class WeeklyAnsweredButton:
    """A weekly answer once stored: whose DM to redraw."""

    team_id: str
    user_id: str
    delivery_id: int

    @classmethod
    def parse(cls, body: dict[str, Any], action: dict[str, Any]) -> WeeklyAnsweredButton:
        question = decode_weekly_question(action.get("value"))
        if question is None:
            raise NotFound("That button no longer points at a pulse question.")
        return cls(team_id=team_id_of(body), user_id=actor(body), delivery_id=question[0])


@dataclass(frozen=True)
class WeeklyCommentButton:
    team_id: str
    user_id: str
    delivery_id: int
    trigger_id: str

    @classmethod
    def parse(cls, body: dict[str, Any], action: dict[str, Any]) -> WeeklyCommentButton:
        delivery_id = decode_weekly_delivery(action.get("value"))
        if delivery_id is None:
            raise NotFound("That button no longer points at a pulse.")
        return cls(
            team_id=team_id_of(body),
            user_id=actor(body),
            delivery_id=delivery_id,
            trigger_id=string(body.get("trigger_id")),
        )


@dataclass(frozen=True)
class WeeklyCommentForm:
    team_id: str
    user_id: str
    delivery_id: int
    # None: about the teams that served the person, in general.
    department_id: int | None
    text: str
    # "Let the team reply to me" ticked.
    reply: bool = False

    @classmethod
    def parse(cls, body: dict[str, Any]) -> WeeklyCommentForm:
        view = view_of(body)
        values = form_values(view)
        about = input_of(values, BlockId.WEEKLY_COMMENT_ABOUT, ActionId.WEEKLY_COMMENT_ABOUT)
        text = comment_text(values, BlockId.WEEKLY_COMMENT_TEXT, ActionId.WEEKLY_COMMENT_TEXT)
        chosen = selected(about)
        department_id = None if chosen == GENERAL_TOPIC else parse_id(chosen)
        if chosen != GENERAL_TOPIC and department_id is None:
            raise FormErrors({BlockId.WEEKLY_COMMENT_ABOUT: "Choose what the comment is about."})
        delivery_id = metadata_id(
            view, "delivery", gone="That comment form no longer points at a pulse."
        )
        return cls(
            team_id=team_id_of(body),
            user_id=actor(body),
            delivery_id=delivery_id,
            department_id=department_id,
            text=text,
            reply=_ticked(
                input_of(values, BlockId.WEEKLY_COMMENT_REPLY, ActionId.WEEKLY_COMMENT_REPLY),
                WEEKLY_REPLY_CHOICE,
            ),
        )


def _ticked(checkboxes: dict[str, Any], value: str) -> bool:
    chosen = checkboxes.get("selected_options")
    return isinstance(chosen, list) and any(dict_of(c).get("value") == value for c in chosen)
