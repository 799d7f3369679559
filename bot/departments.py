"""The departments file (TOML): parsed, validated and explained field by field when wrong."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    ValidationError,
    field_validator,
    model_validator,
)

from bot.blockkit import INPUT_HINT_MAX, INPUT_LABEL_MAX, OPTION_TEXT_MAX, STATIC_SELECT_OPTIONS_MAX
from bot.business_time import WallClock, parse_duration
from bot.forms.messages import FIELDS_MAX
from bot.forms.rules import FIELD_KEY_PATTERN, FieldDefinition, FieldType
from bot.ids import USER_ID
from bot.kudos.rules import VALUE_PATTERN
from bot.reactions import read_emoji_name
from bot.requests.rules import RESERVED_WORDS
from bot.service_level_config import CalendarConfig, SlaConfig, read_duration

KEY_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,31}$"
CHANNEL_ID = re.compile(r"^[CG][A-Z0-9]{8,}$")


class DepartmentsFileError(Exception):
    """The departments file cannot be used; the message names the file, entry and field."""


def _lowercase_key(value: object) -> object:
    return value.strip().lower() if isinstance(value, str) else value


Key = Annotated[str, Field(pattern=KEY_PATTERN)]


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be blank")
    return value.strip()


class FieldConfig(BaseModel):
    """One of a department's `[[departments.fields]]`: a question its form asks."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    key: str
    label: Annotated[str, Field(min_length=1, max_length=INPUT_LABEL_MAX)]
    type: FieldType
    required: StrictBool = False
    hint: Annotated[str, Field(min_length=1, max_length=INPUT_HINT_MAX)] | None = None
    options: list[Annotated[str, Field(min_length=1, max_length=OPTION_TEXT_MAX)]] = Field(
        default=[], max_length=STATIC_SELECT_OPTIONS_MAX
    )

    @field_validator("key", mode="before")
    @classmethod
    def _normalise_key(cls, value: object) -> object:
        return _lowercase_key(value)

    @field_validator("key")
    @classmethod
    def _key_is_a_name(cls, value: str) -> str:
        if not re.match(FIELD_KEY_PATTERN, value):
            raise ValueError(
                f"{value!r} is not a field key: use lowercase letters, digits and _ (up to 32), "
                "starting with a letter, like needed_by"
            )
        return value

    @field_validator("label", "hint")
    @classmethod
    def _text_not_blank(cls, value: str | None) -> str | None:
        return None if value is None else _not_blank(value)

    @field_validator("options")
    @classmethod
    def _options_distinct(cls, values: list[str]) -> list[str]:
        options = [_not_blank(value) for value in values]
        for index, option in enumerate(options):
            if option in options[:index]:
                raise ValueError(f"option {option!r} is listed twice")
        return options

    @model_validator(mode="after")
    def _options_for_select_only(self) -> FieldConfig:
        if self.type is FieldType.SELECT and not self.options:
            raise ValueError('a "select" needs its options, such as options = ["Laptop", "Phone"]')
        if self.type is not FieldType.SELECT and self.options:
            raise ValueError(f'only a "select" has options, not a "{self.type.value}"')
        return self

    def definition(self) -> FieldDefinition:
        return FieldDefinition(
            key=self.key,
            label=self.label,
            type=self.type,
            required=self.required,
            hint=self.hint,
            options=tuple(self.options),
        )


class DepartmentConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    key: Key
    name: Annotated[str, Field(min_length=1, max_length=200)]
    channel: str
    keywords: list[Annotated[str, Field(min_length=1, max_length=100)]] = []
    aliases: list[Key] = []
    agents: list[str] = []
    leads: list[str] = []
    calendar: CalendarConfig | None = None
    sla: SlaConfig | None = None
    # Its requests show what they say only to its agents.
    private: StrictBool = False
    # A reaction that files the message it is on with this department.
    request_emoji: str | None = None
    # Its channel gets the weekly department report.
    weekly_report: StrictBool = True
    # Waiting on the requester: a nudge after `stale_after`, closed after `auto_close_after`.
    stale_after: str | None = None
    auto_close_after: str | None = None
    fields: list[FieldConfig] = []

    @field_validator("request_emoji", mode="before")
    @classmethod
    def _emoji_name(cls, value: object) -> object:
        return read_emoji_name(value, like="ticket or :computer:")

    @model_validator(mode="after")
    def _private_names_its_agents(self) -> DepartmentConfig:
        if self.private and not self.agents:
            raise ValueError(
                "a private department must list its agents: otherwise anyone who joins its "
                "channel could read its requests"
            )
        return self

    @field_validator("stale_after", "auto_close_after")
    @classmethod
    def _waiting_durations(cls, value: str | None) -> str | None:
        return read_duration(value)

    @model_validator(mode="after")
    def _nudge_before_closing(self) -> DepartmentConfig:
        if self.stale_after and self.auto_close_after:
            calendar = self.calendar.business_calendar() if self.calendar else WallClock()
            if parse_duration(self.stale_after, calendar) >= parse_duration(
                self.auto_close_after, calendar
            ):
                raise ValueError("stale_after must be shorter than auto_close_after")
        return self

    @field_validator("key", mode="before")
    @classmethod
    def _normalise_key(cls, value: object) -> object:
        return _lowercase_key(value)

    @field_validator("aliases", mode="before")
    @classmethod
    def _normalise_aliases(cls, value: object) -> object:
        return [_lowercase_key(v) for v in value] if isinstance(value, list) else value

    @field_validator("keywords", mode="before")
    @classmethod
    def _normalise_keywords(cls, value: object) -> object:
        if isinstance(value, list):
            return [" ".join(v.lower().split()) if isinstance(v, str) else v for v in value]
        return value

    @field_validator("name")
    @classmethod
    def _name_not_blank(cls, value: str) -> str:
        return _not_blank(value)

    @field_validator("fields")
    @classmethod
    def _fields_fit_the_form(cls, values: list[FieldConfig]) -> list[FieldConfig]:
        if len(values) > FIELDS_MAX:
            raise ValueError(
                f"at most {FIELDS_MAX} fields: a Slack form holds 100 blocks, and its "
                "own inputs (department, description, urgency, privacy, who asks) take the rest"
            )
        return values

    @field_validator("channel")
    @classmethod
    def _channel_is_id(cls, value: str) -> str:
        if not CHANNEL_ID.match(value):
            raise ValueError(
                f"{value!r} is not a channel ID; use the ID (like C0123456789) shown at the "
                "bottom of the channel's details in Slack, not its name"
            )
        return value

    @field_validator("agents", "leads")
    @classmethod
    def _user_ids(cls, values: list[str]) -> list[str]:
        for value in values:
            if not USER_ID.match(value):
                raise ValueError(f"{value!r} is not a Slack user ID (like U0123456789)")
        return list(dict.fromkeys(values))


class KudosConfig(BaseModel):
    """The optional `[kudos]` table: the company values a `#tag` in a kudos can name."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    values: list[str] = Field(default=[], max_length=100)

    @field_validator("values", mode="before")
    @classmethod
    def _normalise_values(cls, value: object) -> object:
        if isinstance(value, list):
            return [v.strip().lstrip("#").lower() if isinstance(v, str) else v for v in value]
        return value

    @field_validator("values")
    @classmethod
    def _values_are_tags(cls, values: list[str]) -> list[str]:
        for value in values:
            if not re.match(VALUE_PATTERN, value):
                raise ValueError(
                    f"{value!r} is not a value tag: use lowercase letters, digits, - and _ "
                    "(up to 32), like customer-first"
                )
        return list(dict.fromkeys(values))


class DepartmentsFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    departments: list[DepartmentConfig] = Field(min_length=1)
    kudos: KudosConfig = KudosConfig()


@dataclass(frozen=True)
class DeskConfig:
    """Everything the departments file configures."""

    departments: list[DepartmentConfig]
    kudos_values: tuple[str, ...] = ()


def _entry(entries: object, name: str, index: int) -> tuple[str, object]:
    """`departments[0] (key "it")`, and the entry itself (None if it is not a table)."""
    label = f"{name}[{index}]"
    if (
        not isinstance(entries, list)
        or index >= len(entries)
        or not isinstance(entries[index], dict)
    ):
        return label, None
    entry = entries[index]
    key = entry.get("key")
    return (label + f' (key "{key}")' if isinstance(key, str) else label), entry


def _describe_location(data: dict[str, Any], loc: tuple[int | str, ...]) -> str:
    if len(loc) >= 2 and loc[0] == "departments" and isinstance(loc[1], int):
        label, entry = _entry(data.get("departments"), "departments", loc[1])
        rest = loc[2:]
        if len(rest) >= 2 and rest[0] == "fields" and isinstance(rest[1], int):
            questions = entry.get("fields") if isinstance(entry, dict) else None
            label += ": " + _entry(questions, "fields", rest[1])[0]
            rest = rest[2:]
        named = ".".join(str(part) for part in rest)
        return f'{label}: field "{named}"' if named else label
    return 'field "' + ".".join(str(part) for part in loc) + '"'


def _check_unique_names(path: Path, departments: list[DepartmentConfig]) -> None:
    owners: dict[str, str] = {}
    for index, department in enumerate(departments):
        for field, name in [("key", department.key)] + [("aliases", a) for a in department.aliases]:
            where = f'{path}: departments[{index}] (key "{department.key}"): field "{field}"'
            if name in RESERVED_WORDS:
                raise DepartmentsFileError(
                    f'{where}: "{name}" is reserved for a /request sub-command'
                )
            if name in owners:
                raise DepartmentsFileError(
                    f'{where}: "{name}" is already used by department "{owners[name]}"'
                )
            owners[name] = department.key
        _check_field_keys(path, index, department)
    _check_request_emoji(path, departments)


def _check_request_emoji(path: Path, departments: list[DepartmentConfig]) -> None:
    owners: dict[str, str] = {}
    for index, department in enumerate(departments):
        emoji = department.request_emoji
        if emoji is None:
            continue
        if emoji in owners:
            raise DepartmentsFileError(
                f'{path}: departments[{index}] (key "{department.key}"): field "request_emoji": '
                f'"{emoji}" already files requests with department "{owners[emoji]}"'
            )
        owners[emoji] = department.key


def _check_field_keys(path: Path, index: int, department: DepartmentConfig) -> None:
    first: dict[str, int] = {}
    for position, question in enumerate(department.fields):
        if question.key in first:
            raise DepartmentsFileError(
                f'{path}: departments[{index}] (key "{department.key}"): fields[{position}] '
                f'(key "{question.key}"): the key is already used by fields[{first[question.key]}]'
            )
        first[question.key] = position


def parse_config(path: Path, content: str) -> DeskConfig:
    try:
        data = tomllib.loads(content)
    except tomllib.TOMLDecodeError as error:
        raise DepartmentsFileError(f"{path}: not valid TOML: {error}") from None
    try:
        parsed = DepartmentsFile.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        where = _describe_location(data, tuple(first["loc"]))
        message = first["msg"].removeprefix("Value error, ")
        if first["type"] == "extra_forbidden":
            message = "unknown field (check its spelling)"
        raise DepartmentsFileError(f"{path}: {where}: {message}") from None
    _check_unique_names(path, parsed.departments)
    return DeskConfig(parsed.departments, tuple(parsed.kudos.values))


def parse_departments(path: Path, content: str) -> list[DepartmentConfig]:
    return parse_config(path, content).departments


def load_config(path: Path) -> DeskConfig:
    try:
        content = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DepartmentsFileError(
            f"{path}: file not found; copy departments.example.toml to {path} and edit it, "
            "or set DEPARTMENTS_FILE"
        ) from None
    return parse_config(path, content)


def load_departments(path: Path) -> list[DepartmentConfig]:
    return load_config(path).departments
