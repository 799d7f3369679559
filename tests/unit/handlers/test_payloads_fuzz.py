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
from handlers.conversations import parse_thread_message, worth_keeping
from handlers.forms import DepartmentChosen, MessageShortcut, NewRequestForm
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
from handlers.waiting import WaitForm

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
        "subtype",
        "message",
        "previous_message",
        "deleted_ts",
        "thread_ts",
        "bot_id",
        "wait_question",
        "request_wait_question",
        "requester",
        "request_requester",
        "sensitive",
        "selected_options",
        "source",
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
    for form in (NewRequestForm, PulseCommentForm, KudosForm, WeeklyCommentForm, WaitForm):
        _only_clear_refusals(lambda form=form: form.parse(body))
    _only_clear_refusals(lambda: MessageShortcut.parse(body))


@given(command=BODIES)
def test_a_slash_command_is_read_or_refused(command: dict[str, Any]) -> None:
    _only_clear_refusals(lambda: SlashCommand.parse(command))


@given(body=BODIES, added=st.booleans())
def test_an_event_is_read_or_ignored(body: dict[str, Any], added: bool) -> None:
    _only_clear_refusals(lambda: parse_reaction(body, added=added))
    message = parse_thread_message(body)
    assert message is None or isinstance(message.text, str)
    worth_keeping(body)


@given(
    text=st.text(max_size=300) | st.from_regex(r"(<@U[A-Z0-9]{1,8}(\|[^>]{0,10})?> ?){0,4}.{0,40}")
)
def test_kudos_text_is_always_read(text: str) -> None:
    draft = parse_kudos(text, ["ownership", "customer-first"])
    assert all(user.startswith(("U", "W")) for user in draft.recipients)


MESSAGE_EVENTS = st.fixed_dictionaries(
    {"type": st.just("message")},
    optional={
        "channel": st.one_of(JSON, st.from_regex(r"[CDG][A-Z0-9]{0,12}", fullmatch=True)),
        "subtype": st.one_of(
            JSON, st.sampled_from(["message_changed", "message_deleted", "thread_broadcast"])
        ),
        "user": st.one_of(JSON, st.from_regex(r"[UW][A-Z0-9]{0,10}", fullmatch=True)),
        "ts": st.one_of(JSON, st.from_regex(r"[0-9]{0,14}\.?[0-9]{0,10}", fullmatch=True)),
        "thread_ts": JSON,
        "deleted_ts": JSON,
        "text": JSON,
        "bot_id": JSON,
        "message": _shaped(1),
        "previous_message": _shaped(1),
    },
)


@given(event=MESSAGE_EVENTS, team=JSON)
def test_a_message_event_is_read_or_ignored(event: dict[str, Any], team: Any) -> None:
    message = parse_thread_message({"team_id": team, "event": event})
    if message is not None:
        assert message.ts.replace(".", "").isdigit()
        assert message.user_id.startswith(("U", "W"))
    worth_keeping({"team_id": team, "event": event})
