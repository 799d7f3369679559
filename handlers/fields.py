"""Reading a Slack payload's fields for the type each must have: anything else counts as
missing, so a malformed payload is refused with a clear answer, never a crash."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

from bot.blockkit import INPUT_MAX_LENGTH
from bot.errors import FormErrors, NotFound
from bot.ids import ActionId, decode_field_block_id, parse_id
from bot.text import clean_input


def dict_of(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def string(value: object) -> str:
    """A text field; "" for anything that is not text."""
    return value if isinstance(value, str) else ""


def response_url_of(value: object) -> str:
    """A response_url Slack could have sent; "" for anything else, which is answered by DM."""
    url = string(value)
    try:
        parts = urlsplit(url)
    except ValueError:
        return ""
    return url if parts.scheme in ("https", "http") and parts.netloc else ""


def team_id_of(body: dict[str, Any]) -> str:
    return (
        string(dict_of(body.get("team")).get("id"))
        or string(dict_of(body.get("user")).get("team_id"))
        or string(body.get("team_id"))
    )


def user_of(body: dict[str, Any]) -> str:
    """The user who clicked, submitted or ran a command; "" when the payload names none."""
    return string(dict_of(body.get("user")).get("id")) or string(body.get("user_id"))


def actor(body: dict[str, Any]) -> str:
    """The user who clicked or submitted."""
    user = user_of(body)
    if not user:
        raise NotFound("That came without a user, so there is nothing to do with it.")
    return user


def view_of(body: dict[str, Any]) -> dict[str, Any]:
    view = body.get("view")
    if not isinstance(view, dict):
        raise NotFound("That form no longer exists.")
    return view


def private_metadata(view: dict[str, Any]) -> dict[str, Any]:
    """The JSON a modal carries for us; {} if it is missing or not ours."""
    try:
        metadata = json.loads(string(view.get("private_metadata")) or "{}")
    except (ValueError, RecursionError):
        return {}
    return dict_of(metadata)


def metadata_id(view: dict[str, Any], key: str, *, gone: str) -> int:
    """The id a modal carries in its private metadata, or NotFound saying what is `gone`."""
    found = parse_id(private_metadata(view).get(key))
    if found is None:
        raise NotFound(gone)
    return found


def form_values(view: dict[str, Any]) -> dict[str, Any]:
    """A modal's inputs, by block id and then action id."""
    return dict_of(dict_of(view.get("state")).get("values"))


def input_of(values: dict[str, Any], block_id: str, action_id: str) -> dict[str, Any]:
    """One input of a modal: its `value` or `selected_option`."""
    return dict_of(dict_of(values.get(block_id)).get(action_id))


def selected(element: dict[str, Any]) -> str:
    return string(dict_of(element.get("selected_option")).get("value"))


def element_value(element: dict[str, Any]) -> str:
    """What any input holds, as text: typed, chosen, a date or a person; "" when empty."""
    return (
        string(element.get("value"))
        or selected(element)
        or string(element.get("selected_date"))
        or string(element.get("selected_user"))
    )


def question_answers(values: dict[str, Any]) -> dict[str, dict[str, str]]:
    """The answers to departments' own questions in a form, by department key and then
    question key; blanks are left out."""
    answers: dict[str, dict[str, str]] = {}
    for block_id in values:
        question = decode_field_block_id(block_id)
        value = element_value(input_of(values, block_id, ActionId.FIELD))
        if question is not None and value:
            answers.setdefault(question[0], {})[question[1]] = value
    return answers


def comment_text(values: dict[str, Any], block_id: str, action_id: str) -> str:
    """A required free-text comment from a modal, or the inline error that asks for one."""
    text = clean_input(string(input_of(values, block_id, action_id).get("value"))).strip()
    if not text:
        raise FormErrors({block_id: "Write a comment, or cancel."})
    if len(text) > INPUT_MAX_LENGTH:
        raise FormErrors({block_id: f"Keep it under {INPUT_MAX_LENGTH} characters."})
    return text
