"""Block Kit for the new-request form, with the chosen department's own questions after the
description, and for the answers on the card and the requester's confirmation."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from bot.blockkit import (
    FIELD_TEXT_MAX,
    INPUT_HINT_MAX,
    INPUT_LABEL_MAX,
    INPUT_MAX_LENGTH,
    MODAL_TITLE_MAX,
    SECTION_FIELDS_MAX,
    STATIC_SELECT_OPTIONS_MAX,
    VIEW_BLOCKS_MAX,
    Block,
    context,
    fields,
    option,
    plain,
)
from bot.forms.rules import (
    LONG_TEXT_MAX,
    NUMBER,
    TEXT_MAX,
    Answer,
    FieldDefinition,
    FieldType,
    FormSource,
    form_version,
    parse_date,
)
from bot.ids import USER_ID, ActionId, BlockId, CallbackId, encode_field_block_id
from bot.requests.rules import DepartmentSnapshot, Urgency
from bot.text import escape, escape_truncate, truncate, truncate_escaped, user_mention

# The form's own inputs: department, description, urgency, privacy and, when it is opened
# from a message, who asks.
OWN_INPUTS = 5
# The value of the Sensitive box.
SENSITIVE_VALUE = "sensitive"
# The values of the requester choice of a form opened from a message.
REQUESTER_ME = "me"
REQUESTER_AUTHOR = "author"
# A modal holds 100 blocks: a department's questions get what the form's own inputs leave.
FIELDS_MAX = VIEW_BLOCKS_MAX - OWN_INPUTS
# On the card, a question's label above its answer; the answer gets the rest of the field.
LABEL_SHOWN_MAX = 150


def _initial(definition: FieldDefinition, value: str) -> dict[str, Any]:
    """What the question's element starts with: `value`, where the element can show it."""
    kind = definition.type
    if kind is FieldType.SELECT:
        return {"initial_option": option(value, value)} if value in definition.options else {}
    if kind is FieldType.DATE:
        return {"initial_date": value} if parse_date(value) else {}
    if kind is FieldType.USER:
        return {"initial_user": value} if USER_ID.match(value) else {}
    if kind is FieldType.NUMBER:
        return {"initial_value": value} if NUMBER.match(value) else {}
    limit = TEXT_MAX if kind is FieldType.TEXT else LONG_TEXT_MAX
    return {"initial_value": truncate(value, limit)} if value else {}


def _element(definition: FieldDefinition) -> Block:
    kind = definition.type
    element: Block
    if kind is FieldType.SELECT:
        element = {
            "type": "static_select",
            "placeholder": plain("Choose one"),
            "options": [option(choice, choice) for choice in definition.options],
        }
    elif kind is FieldType.DATE:
        element = {"type": "datepicker", "placeholder": plain("Pick a date")}
    elif kind is FieldType.USER:
        element = {"type": "users_select", "placeholder": plain("Choose a person")}
    elif kind is FieldType.NUMBER:
        element = {"type": "number_input", "is_decimal_allowed": True}
    else:
        element = {
            "type": "plain_text_input",
            "multiline": kind is FieldType.LONG_TEXT,
            "max_length": TEXT_MAX if kind is FieldType.TEXT else LONG_TEXT_MAX,
        }
    return {**element, "action_id": ActionId.FIELD}


def field_input(department_key: str, definition: FieldDefinition, value: str = "") -> Block:
    """One of the department's questions, as an input block holding `value`."""
    block: Block = {
        "type": "input",
        "block_id": encode_field_block_id(department_key, definition.key),
        "label": plain(definition.label, INPUT_LABEL_MAX),
        "optional": not definition.required,
        "element": {**_element(definition), **_initial(definition, value)},
    }
    if definition.hint:
        block["hint"] = plain(definition.hint, INPUT_HINT_MAX)
    return block


def build_new_request_modal(
    departments: Sequence[DepartmentSnapshot],
    *,
    selected_key: str | None = None,
    text: str = "",
    urgency: str = Urgency.NORMAL,
    answers: Mapping[str, str] | None = None,
    sensitive: bool = False,
    origin_channel_id: str | None = None,
    source: FormSource | None = None,
    for_author: bool = False,
) -> dict[str, Any]:
    """The form, with the questions of the department chosen (if any) filled with `answers`.
    Choosing another department asks for the form again (`dispatch_action`), drawn with its
    questions."""
    shown = departments[:STATIC_SELECT_OPTIONS_MAX]
    options = [option(d.name, d.key) for d in shown]
    department_select: Block = {
        "type": "static_select",
        "action_id": ActionId.DEPARTMENT,
        "placeholder": plain("Choose a department"),
        "options": options,
    }
    chosen = next((d for d in shown if d.key == selected_key), None)
    if chosen is not None:
        department_select["initial_option"] = options[shown.index(chosen)]
    description: Block = {
        "type": "plain_text_input",
        "action_id": ActionId.DESCRIPTION,
        "multiline": True,
        "max_length": INPUT_MAX_LENGTH,
        "placeholder": plain("What do you need? Include anything that helps the team act on it."),
    }
    if text:
        description["initial_value"] = truncate(text, INPUT_MAX_LENGTH)
    questions: list[Block] = []
    if chosen is not None:
        given = answers or {}
        questions = [
            field_input(chosen.key, definition, given.get(definition.key, ""))
            for definition in chosen.fields[:FIELDS_MAX]
        ]
    urgency_options = [option("Normal", Urgency.NORMAL), option("High", Urgency.HIGH)]
    initial_urgency = urgency_options[1] if urgency == Urgency.HIGH else urgency_options[0]
    metadata: dict[str, Any] = {
        "channel": origin_channel_id,
        "form": form_version(chosen.key, chosen.fields) if chosen else "",
    }
    asker: list[Block] = []
    if source is not None:
        metadata["source"] = source.stored()
        asker = [_who_asks(source, for_author=for_author)]
    return {
        "type": "modal",
        "callback_id": CallbackId.NEW_REQUEST,
        "title": plain(truncate("New request", MODAL_TITLE_MAX)),
        "submit": plain("File request"),
        "close": plain("Cancel"),
        "private_metadata": json.dumps(metadata),
        "blocks": [
            {
                "type": "input",
                "block_id": BlockId.DEPARTMENT,
                # Its questions are drawn as soon as a department is chosen.
                "dispatch_action": True,
                "label": plain("Department"),
                "element": department_select,
            },
            {
                "type": "input",
                "block_id": BlockId.DESCRIPTION,
                "label": plain("Description"),
                "element": description,
            },
            *questions,
            {
                "type": "input",
                "block_id": BlockId.URGENCY,
                "label": plain("Urgency"),
                "element": {
                    "type": "radio_buttons",
                    "action_id": ActionId.URGENCY,
                    "options": urgency_options,
                    "initial_option": initial_urgency,
                },
            },
            _privacy(chosen, sensitive=sensitive),
            *asker,
        ],
    }


def _who_asks(source: FormSource, *, for_author: bool) -> Block:
    """Filed from someone else's message: the request may be theirs, kept informed as its
    requester, or the filer's."""
    me = option("Me", REQUESTER_ME)
    author = option(f"{source.author_name}, who wrote the message", REQUESTER_AUTHOR)
    return {
        "type": "input",
        "block_id": BlockId.REQUESTER,
        "label": plain("Who is asking?"),
        "element": {
            "type": "radio_buttons",
            "action_id": ActionId.REQUESTER,
            "options": [me, author],
            "initial_option": author if for_author else me,
        },
    }


def _privacy(chosen: DepartmentSnapshot | None, *, sensitive: bool) -> Block:
    """A private department says so; any other lets the requester keep this one private."""
    if chosen is not None and chosen.private:
        return context(
            f":lock: Requests to {escape(chosen.name)} are private: only its agents see what "
            "you write."
        )
    choice = option("Sensitive: only the team's agents see what I write", SENSITIVE_VALUE)
    checkboxes: Block = {
        "type": "checkboxes",
        "action_id": ActionId.SENSITIVE,
        "options": [choice],
    }
    if sensitive:
        checkboxes["initial_options"] = [choice]
    return {
        "type": "input",
        "block_id": BlockId.SENSITIVE,
        "optional": True,
        "label": plain("Privacy"),
        "element": checkboxes,
    }


def _value_text(answer: Answer) -> str:
    """An answer as safe mrkdwn: a person as a mention, a date as a date, text escaped."""
    if answer.type is FieldType.USER and USER_ID.match(answer.value):
        return user_mention(answer.value)
    if answer.type is FieldType.DATE and (day := parse_date(answer.value)):
        return f"{day:%a} {day.day} {day:%b %Y}"
    return escape(answer.value)


def answer_fields(answers: Sequence[Answer]) -> list[Block]:
    """The answers as section fields, `label` over value, ten to a section (Slack's most)."""
    texts = [
        truncate_escaped(
            f"*{escape_truncate(answer.label, LABEL_SHOWN_MAX)}*\n{_value_text(answer)}",
            FIELD_TEXT_MAX,
        )
        for answer in answers
    ]
    return [
        fields(*texts[start : start + SECTION_FIELDS_MAX])
        for start in range(0, len(texts), SECTION_FIELDS_MAX)
    ]
