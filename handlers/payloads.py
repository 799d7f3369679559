"""Slack payloads parsed once into typed inputs, so listeners never dig through raw dicts."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any

from bot.blockkit import INPUT_MAX_LENGTH
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
from bot.requests.rules import Urgency
from bot.text import clean_input, slack_to_plain
from bot.weekly.rules import GENERAL_TOPIC


def _team_id(body: dict[str, Any]) -> str:
    team = body.get("team")
    if isinstance(team, dict) and team.get("id"):
        return str(team["id"])
    user = body.get("user")
    if isinstance(user, dict) and user.get("team_id"):
        return str(user["team_id"])
    return str(body.get("team_id") or "")


def _private_metadata(view: dict[str, Any]) -> dict[str, Any]:
    """The JSON a modal carries for us; {} if it is missing or not ours."""
    try:
        metadata = json.loads(view.get("private_metadata") or "{}")
    except json.JSONDecodeError:
        return {}
    return metadata if isinstance(metadata, dict) else {}


def _actor(body: dict[str, Any]) -> str:
    """The user who clicked or submitted."""
    return str(body["user"]["id"])


def _form_values(view: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """A modal's inputs, by block id and then action id."""
    values: dict[str, dict[str, Any]] = view.get("state", {}).get("values", {})
    return values


def _metadata_id(view: dict[str, Any], key: str, *, gone: str) -> int:
    """The id a modal carries in its private metadata, or NotFound saying what is `gone`."""
    found = parse_id(_private_metadata(view).get(key))
    if found is None:
        raise NotFound(gone)
    return found


def _comment_text(values: dict[str, dict[str, Any]], block_id: str, action_id: str) -> str:
    """A required free-text comment from a modal, or the inline error that asks for one."""
    text = clean_input(str(values.get(block_id, {}).get(action_id, {}).get("value") or "")).strip()
    if not text:
        raise FormErrors({block_id: "Write a comment, or cancel."})
    if len(text) > INPUT_MAX_LENGTH:
        raise FormErrors({block_id: f"Keep it under {INPUT_MAX_LENGTH} characters."})
    return text


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
        raw = clean_input(str(command.get("text") or ""))
        return cls(
            team_id=str(command.get("team_id") or ""),
            user_id=str(command["user_id"]),
            channel_id=str(command.get("channel_id") or ""),
            text=slack_to_plain(raw),
            trigger_id=str(command.get("trigger_id") or ""),
            response_url=str(command.get("response_url") or ""),
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
            team_id=_team_id(body),
            user_id=_actor(body),
            request_id=request_id,
            selected_user=action.get("selected_user"),
            response_url=body.get("response_url"),
            trigger_id=str(body.get("trigger_id") or "")[:200],
        )


@dataclass(frozen=True)
class NewRequestForm:
    team_id: str
    user_id: str
    view_id: str
    department_key: str
    text: str
    urgency: Urgency
    origin_channel_id: str | None

    @property
    def idempotency_key(self) -> str:
        # The same modal submitted twice (double click, retry) has the same view id.
        return f"view:{self.view_id}"

    @classmethod
    def parse(cls, body: dict[str, Any]) -> NewRequestForm:
        view = body["view"]
        values = _form_values(view)
        department = values.get(BlockId.DEPARTMENT, {}).get(ActionId.DEPARTMENT, {})
        description = values.get(BlockId.DESCRIPTION, {}).get(ActionId.DESCRIPTION, {})
        urgency = values.get(BlockId.URGENCY, {}).get(ActionId.URGENCY, {})

        errors: dict[str, str] = {}
        department_key = ((department.get("selected_option") or {}).get("value") or "").strip()
        if not department_key:
            errors[BlockId.DEPARTMENT] = "Choose the department this is for."
        text = clean_input(str(description.get("value") or "")).strip()
        if not text:
            errors[BlockId.DESCRIPTION] = "Describe what you need."
        elif len(text) > INPUT_MAX_LENGTH:
            errors[BlockId.DESCRIPTION] = f"Keep it under {INPUT_MAX_LENGTH} characters."
        urgency_value = (urgency.get("selected_option") or {}).get("value") or Urgency.NORMAL
        if urgency_value not in {u.value for u in Urgency}:
            errors[BlockId.URGENCY] = "Choose normal or high."
        if errors:
            raise FormErrors(errors)

        origin = _private_metadata(view).get("channel")
        return cls(
            team_id=_team_id(body),
            user_id=_actor(body),
            view_id=str(view["id"]),
            department_key=department_key,
            text=text,
            urgency=Urgency(urgency_value),
            origin_channel_id=origin if isinstance(origin, str) else None,
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
            team_id=_team_id(body),
            user_id=_actor(body),
            pulse_id=pulse_id,
            trigger_id=str(body.get("trigger_id") or ""),
        )


@dataclass(frozen=True)
class PulseCommentForm:
    team_id: str
    user_id: str
    pulse_id: int
    comment: str

    @classmethod
    def parse(cls, body: dict[str, Any]) -> PulseCommentForm:
        view = body["view"]
        values = _form_values(view)
        comment = _comment_text(values, BlockId.PULSE_COMMENT, ActionId.PULSE_COMMENT_TEXT)
        pulse_id = _metadata_id(
            view, "pulse", gone="That comment form no longer points at a survey."
        )
        return cls(
            team_id=_team_id(body),
            user_id=_actor(body),
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
        view = body["view"]
        values = _form_values(view)
        message_input = values.get(BlockId.KUDOS_MESSAGE, {}).get(ActionId.KUDOS_MESSAGE, {})
        value_input = values.get(BlockId.KUDOS_VALUE, {}).get(ActionId.KUDOS_VALUE, {})
        message = clean_input(str(message_input.get("value") or "")).strip()
        if len(message) > KUDOS_MESSAGE_MAX:
            raise FormErrors(
                {BlockId.KUDOS_MESSAGE: f"Keep it under {KUDOS_MESSAGE_MAX} characters."}
            )
        value = (value_input.get("selected_option") or {}).get("value")
        request_id = _metadata_id(
            view, "request", gone="That kudos form no longer points at a request."
        )
        return cls(
            team_id=_team_id(body),
            user_id=_actor(body),
            view_id=str(view["id"]),
            request_id=request_id,
            message=message,
            value=str(value) if value else None,
        )


def parse_reaction(body: dict[str, Any], *, added: bool) -> Reaction | None:
    """A reaction to a message, or None for reactions to files and the like."""
    event = body.get("event") or {}
    item = event.get("item") or {}
    if item.get("type") != "message" or not item.get("channel") or not item.get("ts"):
        return None
    return Reaction(
        team_id=str(body.get("team_id") or ""),
        event_id=str(body.get("event_id") or f"{event.get('event_ts')}:{event.get('user')}"),
        user_id=str(event.get("user") or ""),
        reaction=str(event.get("reaction") or ""),
        channel_id=str(item["channel"]),
        ts=str(item["ts"]),
        added=added,
        event_ts=str(event["event_ts"]) if event.get("event_ts") else None,
        item_user=str(event["item_user"]) if event.get("item_user") else None,
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
        match = WEEKLY_ANSWER_PATTERN.match(str(action.get("action_id") or ""))
        if question is None or match is None:
            raise NotFound("That button no longer points at a pulse question.")
        return cls(
            team_id=_team_id(body),
            user_id=_actor(body),
            delivery_id=question[0],
            index=question[1],
            score=int(match.group(1)),
        )


def without_score(body: dict[str, Any]) -> dict[str, Any]:
    """A weekly answer's payload as it may be kept: the question it answered, not the score
    (neither the button's action id nor its label)."""
    kept = dict(body)
    kept["actions"] = [
        {"type": "button", "action_id": WEEKLY_ANSWERED, "value": action.get("value")}
        for action in body.get("actions") or []
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
        return cls(team_id=_team_id(body), user_id=_actor(body), delivery_id=question[0])


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
            team_id=_team_id(body),
            user_id=_actor(body),
            delivery_id=delivery_id,
            trigger_id=str(body.get("trigger_id") or ""),
        )


@dataclass(frozen=True)
class WeeklyCommentForm:
    team_id: str
    user_id: str
    delivery_id: int
    # None: about the teams that served the person, in general.
    department_id: int | None
    text: str

    @classmethod
    def parse(cls, body: dict[str, Any]) -> WeeklyCommentForm:
        view = body["view"]
        values = _form_values(view)
        about = values.get(BlockId.WEEKLY_COMMENT_ABOUT, {}).get(ActionId.WEEKLY_COMMENT_ABOUT, {})
        text = _comment_text(values, BlockId.WEEKLY_COMMENT_TEXT, ActionId.WEEKLY_COMMENT_TEXT)
        chosen = str((about.get("selected_option") or {}).get("value") or "")
        department_id = None if chosen == GENERAL_TOPIC else parse_id(chosen)
        if chosen != GENERAL_TOPIC and department_id is None:
            raise FormErrors({BlockId.WEEKLY_COMMENT_ABOUT: "Choose what the comment is about."})
        delivery_id = _metadata_id(
            view, "delivery", gone="That comment form no longer points at a pulse."
        )
        return cls(
            team_id=_team_id(body),
            user_id=_actor(body),
            delivery_id=delivery_id,
            department_id=department_id,
            text=text,
        )
