"""Every payload parser, fed whatever a client might send: each input becomes a typed value
or a clear refusal (NotFound, FormErrors), never another exception."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from bot.errors import UserError
from bot.kudos.rules import parse_kudos
from handlers.forms import DepartmentChosen, NewRequestForm
from handlers.payloads import (
    KudosForm,
    PulseButton,
    PulseCommentForm,
    RequestButton,
    SlashCommand,
    WeeklyAnswerButton,
    WeeklyAnsweredButton,
    WeeklyCommentButton,
    WeeklyCommentForm,
    parse_reaction,
)

JSON_LEAVES = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=40)
JSON = st.recursive(
    JSON_LEAVES,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=20,
)
KEYS = st.sampled_from(
    [
        "team",
        "team_id",
        "user",
        "user_id",
        "id",
        "view",
        "state",
        "values",
        "private_metadata",
        "value",
        "action_id",
        "block_id",
        "selected_option",
        "selected_user",
        "trigger_id",
        "response_url",
        "text",
        "command",
        "event",
        "item",
        "channel",
        "ts",
        "reaction",
        "event_id",
        "event_ts",
        "item_user",
        "type",
        "department",
        "description",
        "urgency",
        "kudos_message",
        "kudos_value",
        "weekly_comment_about",
        "weekly_comment_text",
        "pulse_comment",
        "satisfaction_comment_text",
        "callback_id",
        "hash",
        "field:it:device",
        "field:it",
        "request_field",
        "selected_date",
    ]
)


def _shaped(depth: int = 3) -> st.SearchStrategy[Any]:
    """Dictionaries with the keys Slack uses and values of any shape, nested."""
    if depth == 0:
        return JSON
    return st.dictionaries(KEYS, JSON | _shaped(depth - 1), max_size=6)


BODIES = _shaped()
ACTION_VALUES = st.one_of(
    JSON,
    st.sampled_from(["req:1", "req:99999999999999999999", "pulse:7", "weekly:3:1", "weekly:3"]),
    st.from_regex(r"(req|pulse|weekly):[0-9:]{0,30}", fullmatch=True),
)
ACTIONS = st.fixed_dictionaries(
    {},
    optional={
        "value": ACTION_VALUES,
        "action_id": st.one_of(JSON, st.from_regex(r"weekly_answer_[0-9]{0,5}", fullmatch=True)),
        "block_id": st.one_of(JSON, st.from_regex(r"card_actions:[0-9]{0,25}", fullmatch=True)),
        "selected_user": JSON,
    },
)


def _only_clear_refusals(parse: Callable[[], object]) -> None:
    # Anything but a user error (KeyError, TypeError, ...) fails the test.
    with contextlib.suppress(UserError):
        parse()


@given(body=BODIES, action=ACTIONS)
def test_a_button_payload_is_read_or_refused(body: dict[str, Any], action: dict[str, Any]) -> None:
    for button in (
        RequestButton,
        PulseButton,
        WeeklyAnswerButton,
        WeeklyAnsweredButton,
        WeeklyCommentButton,
        DepartmentChosen,
    ):
        _only_clear_refusals(lambda button=button: button.parse(body, action))


@given(body=BODIES, metadata=JSON)
def test_a_form_payload_is_read_or_refused(body: dict[str, Any], metadata: Any) -> None:
    view = body.get("view")
    if isinstance(view, dict):
        view["private_metadata"] = json.dumps(metadata)
    for form in (NewRequestForm, PulseCommentForm, KudosForm, WeeklyCommentForm):
        _only_clear_refusals(lambda form=form: form.parse(body))


@given(command=BODIES)
def test_a_slash_command_is_read_or_refused(command: dict[str, Any]) -> None:
    _only_clear_refusals(lambda: SlashCommand.parse(command))


@given(body=BODIES, added=st.booleans())
def test_an_event_is_read_or_ignored(body: dict[str, Any], added: bool) -> None:
    _only_clear_refusals(lambda: parse_reaction(body, added=added))


@given(
    text=st.text(max_size=300) | st.from_regex(r"(<@U[A-Z0-9]{1,8}(\|[^>]{0,10})?> ?){0,4}.{0,40}")
)
def test_kudos_text_is_always_read(text: str) -> None:
    draft = parse_kudos(text, ["ownership", "customer-first"])
    assert all(user.startswith(("U", "W")) for user in draft.recipients)
