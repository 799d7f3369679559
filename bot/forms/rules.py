"""A department's own questions: their types, what a requester answers them with, read and
checked, and the answers as a request keeps them, with the label and type they were asked
with, so that a question later renamed or removed still reads as it was asked."""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from bot.ids import CONVERSATION_ID, MESSAGE_TS, USER_ID
from bot.text import clean_input

FIELD_KEY_PATTERN = r"^[a-z][a-z0-9_]{0,31}$"
# A card shows each answer in a field of at most 2,000 characters: a longer one would be cut.
LONG_TEXT_MAX = 2000
TEXT_MAX = 300
NUMBER = re.compile(r"^-?\d{1,15}(\.\d{1,10})?$")
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# A person's name as the form shows it, in its requester choice.
NAME_MAX = 60


class FieldType(StrEnum):
    TEXT = "text"
    LONG_TEXT = "long_text"
    SELECT = "select"
    DATE = "date"
    USER = "user"
    NUMBER = "number"


def _field_type(value: object) -> FieldType:
    """A stored type; one this version does not know reads as text, so nothing stored is
    ever unreadable."""
    try:
        return FieldType(str(value))
    except ValueError:
        return FieldType.TEXT


@dataclass(frozen=True)
class FieldDefinition:
    """One question of a department's form, as the departments file defines it."""

    key: str
    label: str
    type: FieldType
    required: bool = False
    hint: str | None = None
    # A select's choices, in order; empty for every other type.
    options: tuple[str, ...] = ()

    def stored(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "label": self.label,
            "type": self.type.value,
            "required": self.required,
            "hint": self.hint,
            "options": list(self.options),
        }

    @classmethod
    def from_stored(cls, stored: Mapping[str, Any]) -> FieldDefinition:
        return cls(
            key=str(stored["key"]),
            label=str(stored["label"]),
            type=_field_type(stored["type"]),
            required=bool(stored.get("required")),
            hint=stored.get("hint"),
            options=tuple(stored.get("options") or ()),
        )


def needs_form(fields: Sequence[FieldDefinition]) -> bool:
    """Whether text alone cannot file a request: some question must be answered."""
    return any(field.required for field in fields)


def form_version(department_key: str, fields: Sequence[FieldDefinition]) -> str:
    """Names the questions a form was drawn with, so that a form submitted with other ones
    (another department's, or the file's before a change) is drawn again, not misread. A form
    that asks none is "", whichever department it is for (or none)."""
    if not fields:
        return ""
    definitions = json.dumps([f.stored() for f in fields], sort_keys=True)
    return f"{department_key}:{hashlib.sha256(definitions.encode()).hexdigest()[:16]}"


@dataclass(frozen=True)
class Answer:
    """A request's answer to one question, with the label and type it was asked with."""

    key: str
    label: str
    type: FieldType
    value: str

    def stored(self) -> dict[str, str]:
        return {"key": self.key, "label": self.label, "type": self.type.value, "value": self.value}

    @classmethod
    def from_stored(cls, stored: Mapping[str, Any]) -> Answer:
        return cls(
            key=str(stored["key"]),
            label=str(stored["label"]),
            type=_field_type(stored["type"]),
            value=str(stored["value"]),
        )


@dataclass(frozen=True)
class FormSource:
    """The message a form was opened from (the File a request shortcut), and its author."""

    channel_id: str
    ts: str
    author_id: str
    author_name: str

    def stored(self) -> dict[str, str]:
        return {
            "channel": self.channel_id,
            "ts": self.ts,
            "author": self.author_id,
            "name": self.author_name,
        }

    @classmethod
    def from_stored(cls, stored: object) -> FormSource | None:
        """What a form's metadata says of its message; None for anything else."""
        if not isinstance(stored, dict):
            return None
        values = [stored.get(key) for key in ("channel", "ts", "author", "name")]
        if not all(isinstance(value, str) and value for value in values[:3]):
            return None
        channel, ts, author, name = (str(value or "") for value in values)
        if not (CONVERSATION_ID.match(channel) and MESSAGE_TS.match(ts) and USER_ID.match(author)):
            return None
        return cls(channel, ts, author, name[:NAME_MAX] or author)


@dataclass(frozen=True)
class FormState:
    """The new-request form as the requester left it, raw: what a redrawn form keeps."""

    department_key: str = ""
    text: str = ""
    urgency: str = ""
    # By department key, then question key: what was typed or chosen; blanks left out.
    answers: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    # Ticked Sensitive: only the department's agents see what it says.
    sensitive: bool = False
    # Opened from a message: it, and whether its author (not the person filing) asks.
    source: FormSource | None = None
    for_author: bool = False

    def answers_for(self, department_key: str) -> dict[str, str]:
        """What to fill `department_key`'s questions with: its own answers, else one given to
        another department's question of the same key, so a change of department keeps it."""
        merged: dict[str, str] = {}
        for key, answers in self.answers.items():
            if key != department_key:
                merged.update(answers)
        return {**merged, **self.answers.get(department_key, {})}


@dataclass(frozen=True)
class CheckedAnswers:
    answers: tuple[Answer, ...]
    # By question key: what is wrong with its answer, for the requester.
    errors: dict[str, str]


MISSING = {
    FieldType.TEXT: "Fill this in.",
    FieldType.LONG_TEXT: "Fill this in.",
    FieldType.NUMBER: "Enter a number.",
    FieldType.SELECT: "Choose one of the options.",
    FieldType.DATE: "Pick a date.",
    FieldType.USER: "Choose a person.",
}


def _read(definition: FieldDefinition, raw: str) -> tuple[str | None, str | None]:
    """(the answer as kept, None) or (None, what is wrong with it)."""
    kind = definition.type
    value = clean_input(raw).strip()
    if kind is FieldType.TEXT:
        # One line: a client could send what a single-line input cannot hold.
        value = " ".join(value.split())
    if kind in (FieldType.TEXT, FieldType.LONG_TEXT):
        limit = TEXT_MAX if kind is FieldType.TEXT else LONG_TEXT_MAX
        if len(value) > limit:
            return None, f"Keep it under {limit} characters."
        return value, None
    if kind is FieldType.SELECT:
        return (value, None) if value in definition.options else (None, MISSING[kind])
    if kind is FieldType.NUMBER:
        if NUMBER.match(value):
            return value, None
        return None, "Enter a number, such as 12 or 4.5."
    if kind is FieldType.DATE:
        return (value, None) if parse_date(value) else (None, "Pick a date from the calendar.")
    if USER_ID.match(value):
        return value, None
    return None, "Choose a person from the list."


def parse_date(value: str) -> date | None:
    if not ISO_DATE.match(value):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def check_answers(fields: Sequence[FieldDefinition], given: Mapping[str, str]) -> CheckedAnswers:
    """`given` (by question key, as sent) read against the department's questions: the
    answers to keep, in the questions' order, or what is wrong. Anything else is ignored."""
    answers: list[Answer] = []
    errors: dict[str, str] = {}
    for definition in fields:
        raw = given.get(definition.key, "")
        if not clean_input(raw).strip():
            if definition.required:
                errors[definition.key] = MISSING[definition.type]
            continue
        value, problem = _read(definition, raw)
        if problem is not None or value is None:
            errors[definition.key] = problem or MISSING[definition.type]
            continue
        answers.append(Answer(definition.key, definition.label, definition.type, value))
    return CheckedAnswers(tuple(answers), errors)


def tally_choices(
    fields: Sequence[FieldDefinition], answered: Iterable[Sequence[Answer]]
) -> dict[str, dict[str, int]]:
    """Per select question, how many requests chose each option: the department's current
    questions and options first, in their order (0 where none chose one), then the options and
    questions since removed, by name, so that an older answer is never dropped."""
    chosen: dict[str, Counter[str]] = defaultdict(Counter)
    for answers in answered:
        for answer in answers:
            if answer.type is FieldType.SELECT:
                chosen[answer.key][answer.value] += 1
    tally: dict[str, dict[str, int]] = {}
    for definition in fields:
        if definition.type is FieldType.SELECT:
            counts = chosen.pop(definition.key, Counter())
            current = {option: counts.pop(option, 0) for option in definition.options}
            tally[definition.key] = current | dict(sorted(counts.items()))
    for key in sorted(chosen):
        tally[key] = dict(sorted(chosen[key].items()))
    return tally
