"""A department's own questions, through the real endpoint and the fake Slack: the form drawn
with them, drawn again when the department changes, answered inline when wrong, and the
answers on the card."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import func, select

from models import Request
from tests.e2e.conftest import DEPARTMENTS_TOML, Desk, DeskFactory
from tests.e2e.helpers import latest_request, text_of

QUESTIONS = """
[[departments.fields]]
key = "device"
label = "Device"
type = "select"
required = true
options = ["Laptop", "Phone"]

[[departments.fields]]
key = "needed_by"
label = "Needed by"
type = "date"
required = true

[[departments.fields]]
key = "asset_tag"
label = "Asset tag"
type = "text"

[[departments.fields]]
key = "steps"
label = "What you tried"
type = "long_text"

[[departments.fields]]
key = "manager"
label = "Manager"
type = "user"

[[departments.fields]]
key = "budget"
label = "Budget"
type = "number"
"""
# IT asks a question of every type (two of them required); HR and Facilities ask none.
WITH_QUESTIONS = DEPARTMENTS_TOML.replace(
    'leads = ["U0ITLEAD"]\n', 'leads = ["U0ITLEAD"]\n' + QUESTIONS
)
ELEMENTS = {
    "device": "static_select",
    "needed_by": "datepicker",
    "asset_tag": "plain_text_input",
    "steps": "plain_text_input",
    "manager": "users_select",
    "budget": "number_input",
}


@pytest.fixture
def forms_desk(desk_with: DeskFactory) -> Desk:
    return desk_with(departments_toml=WITH_QUESTIONS)


def _count(desk: Desk) -> int:
    with desk.session_factory() as session:
        return int(session.scalar(select(func.count()).select_from(Request)) or 0)


def _block(view: dict[str, Any], block_id: str) -> dict[str, Any]:
    [block] = [b for b in view["blocks"] if b.get("block_id") == block_id]
    return block


def _question_ids(view: dict[str, Any]) -> list[str]:
    return [b["block_id"] for b in view["blocks"] if b["block_id"].startswith("field:")]


# What Slack's state.values holds for each kind of input.
def typed(value: str | None) -> dict[str, Any]:
    return {"type": "plain_text_input", "value": value}


def chosen(value: str | None) -> dict[str, Any]:
    option = {"value": value, "text": {"type": "plain_text", "text": value}} if value else None
    return {"type": "static_select", "selected_option": option}


def values(
    department: str | None,
    description: str | None,
    urgency: str = "normal",
    answers: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A form's state: its own inputs, and the questions' inputs by block id."""
    return {
        "department": {"request_department": chosen(department)},
        "description": {"request_description": typed(description)},
        "urgency": {"request_urgency": {"type": "radio_buttons", **_option(urgency)}},
        **{block_id: {"request_field": element} for block_id, element in (answers or {}).items()},
    }


def _option(value: str) -> dict[str, Any]:
    return {"selected_option": {"value": value, "text": {"type": "plain_text", "text": value}}}


GOOD_ANSWERS = {
    "field:it:device": chosen("Phone"),
    "field:it:needed_by": {"type": "datepicker", "selected_date": "2026-12-24"},
    "field:it:asset_tag": typed("A-17 <!channel> & co"),
    "field:it:steps": typed("restarted it\ntwice"),
    "field:it:manager": {"type": "users_select", "selected_user": "U0BOSS"},
    "field:it:budget": {"type": "number_input", "value": "12.5"},
}


def _opened_form(desk: Desk, text: str) -> dict[str, Any]:
    assert desk.slack.slash_command(text).status == 200
    [call] = desk.fake.wait_for_call("views.open")
    return _as_shown(call.params["view"], "h1")


def _as_shown(view: dict[str, Any], view_hash: str) -> dict[str, Any]:
    """The view as Slack shows it and sends it back: with its id and a hash."""
    return {**view, "id": "V0FORMS", "hash": view_hash}


def test_text_alone_opens_the_form_of_a_department_that_asks_questions(forms_desk: Desk) -> None:
    view = _opened_form(forms_desk, "it my laptop will not boot")

    assert _block(view, "department")["element"]["initial_option"]["value"] == "it"
    description = _block(view, "description")["element"]
    assert description["initial_value"] == "my laptop will not boot"
    questions = _question_ids(view)
    assert questions == [f"field:it:{key}" for key in ELEMENTS]
    for key, element_type in ELEMENTS.items():
        block = _block(view, f"field:it:{key}")
        assert block["element"]["type"] == element_type
        assert block["optional"] is (key not in ("device", "needed_by"))
    assert _count(forms_desk) == 0


def test_text_alone_still_files_at_once_where_nothing_is_required(forms_desk: Desk) -> None:
    forms_desk.slack.slash_command("hr payroll slip is wrong")
    [card] = forms_desk.fake.wait_for_call("chat.postMessage")
    assert card.params["channel"] == "C0HR000001"
    assert forms_desk.fake.calls_to("views.open") == []


def test_choosing_a_department_draws_its_questions_and_keeps_what_was_typed(
    forms_desk: Desk,
) -> None:
    view = _opened_form(forms_desk, "")
    assert _question_ids(view) == []
    state = values("it", "the screen is black", urgency="high")
    action = {
        "type": "static_select",
        "action_id": "request_department",
        "block_id": "department",
        "selected_option": _option("it")["selected_option"],
    }

    assert forms_desk.slack.view_action(view, action, state).status == 200

    [update] = forms_desk.fake.wait_for_call("views.update")
    assert (update.params["view_id"], update.params["hash"]) == (view["id"], view["hash"])
    redrawn = update.params["view"]
    assert _question_ids(redrawn) == [f"field:it:{key}" for key in ELEMENTS]
    assert _block(redrawn, "description")["element"]["initial_value"] == "the screen is black"
    assert _block(redrawn, "urgency")["element"]["initial_option"]["value"] == "high"
    assert _count(forms_desk) == 0

    # Back to a department that asks nothing: its questions go.
    hr = {**action, "selected_option": _option("hr")["selected_option"]}
    drawn = _as_shown(redrawn, "h2")
    forms_desk.slack.view_action(drawn, hr, values("hr", "the screen is black"))
    [_, second] = forms_desk.fake.wait_for_call("views.update", count=2)
    assert _question_ids(second.params["view"]) == []


def test_wrong_answers_are_answered_inline_and_file_nothing(forms_desk: Desk) -> None:
    view = _opened_form(forms_desk, "it")
    wrong = {
        "field:it:device": chosen("Typewriter"),
        "field:it:needed_by": {"type": "datepicker", "selected_date": "2026-02-30"},
        "field:it:manager": {"type": "users_select", "selected_user": "<!channel>"},
        "field:it:budget": {"type": "number_input", "value": "a lot"},
        "field:it:asset_tag": typed("x" * 301),
    }

    result = forms_desk.slack.submit_view(view, values("it", "   ", answers=wrong))

    assert result.status == 200
    answer = result.json()
    assert answer["response_action"] == "errors"
    assert answer["errors"] == {
        "description": "Describe what you need.",
        "field:it:device": "Choose one of the options.",
        "field:it:needed_by": "Pick a date from the calendar.",
        "field:it:manager": "Choose a person from the list.",
        "field:it:budget": "Enter a number, such as 12 or 4.5.",
        "field:it:asset_tag": "Keep it under 300 characters.",
    }
    missing = forms_desk.slack.submit_view(view, values("it", "help"))
    assert missing.json()["errors"] == {
        "field:it:device": "Choose one of the options.",
        "field:it:needed_by": "Pick a date.",
    }
    forms_desk.pulsedesk.finish_work()
    assert _count(forms_desk) == 0
    assert forms_desk.fake.calls_to("chat.postMessage") == []


@pytest.mark.parametrize(
    "garbage",
    [
        {"field:it:device": {"selected_option": "Phone"}},
        {"field:it:device": {"request_field": None}},
        {"field:it:device": ["Phone"]},
        {"field:it:needed_by": {"request_field": {"selected_date": 20261224}}},
        {"field:it:budget": {"request_field": {"value": {"n": 1}}}},
        {"field:it": {"request_field": typed("x")}, "field:::": "x"},
    ],
)
def test_garbage_answers_get_a_clear_answer_and_change_nothing(
    forms_desk: Desk, garbage: dict[str, Any]
) -> None:
    view = _opened_form(forms_desk, "it")
    state = values("it", "help", answers={"field:it:needed_by": GOOD_ANSWERS["field:it:needed_by"]})
    state.update(garbage)

    result = forms_desk.slack.submit_view(view, state)

    assert result.status == 200
    assert result.json()["response_action"] == "errors"
    assert "field:it:device" in result.json()["errors"]
    forms_desk.pulsedesk.finish_work()
    assert _count(forms_desk) == 0


def test_answers_are_filed_kept_as_asked_and_shown_on_the_card(forms_desk: Desk) -> None:
    view = _opened_form(forms_desk, "it my laptop will not boot")

    result = forms_desk.slack.submit_view(
        view, values("it", "my laptop will not boot", answers=GOOD_ANSWERS)
    )

    assert (result.status, result.body) == (200, "")
    [card] = forms_desk.fake.wait_for_call(
        "chat.postMessage", where=lambda c: c.params["channel"] == "C0IT000001"
    )
    shown = [f["text"] for b in card.params["blocks"] for f in b.get("fields", [])]
    assert shown[:6] == [
        "*Device*\nPhone",
        "*Needed by*\nThu 24 Dec 2026",
        "*Asset tag*\nA-17 &lt;!channel&gt; &amp; co",
        "*What you tried*\nrestarted it\ntwice",
        "*Manager*\n<@U0BOSS>",
        "*Budget*\n12.5",
    ]
    assert "<!channel>" not in json.dumps(card.params)
    [confirmation] = forms_desk.fake.wait_for_call(
        "chat.postMessage", where=lambda c: c.params["channel"] == "U0ALICE"
    )
    assert "*Device*\\nPhone" in text_of(confirmation)
    request = latest_request(forms_desk)
    assert request is not None
    assert request.answers == [
        {"key": "device", "label": "Device", "type": "select", "value": "Phone"},
        {"key": "needed_by", "label": "Needed by", "type": "date", "value": "2026-12-24"},
        {"key": "asset_tag", "label": "Asset tag", "type": "text", "value": "A-17 <!channel> & co"},
        {
            "key": "steps",
            "label": "What you tried",
            "type": "long_text",
            "value": "restarted it\ntwice",
        },
        {"key": "manager", "label": "Manager", "type": "user", "value": "U0BOSS"},
        {"key": "budget", "label": "Budget", "type": "number", "value": "12.5"},
    ]


def test_a_form_drawn_with_another_departments_questions_is_drawn_again(forms_desk: Desk) -> None:
    """The department changed, but the form was never drawn again for it (a lost redraw): the
    submission redraws it rather than filing answers to questions it never showed."""
    view = _opened_form(forms_desk, "hr")
    assert json.loads(view["private_metadata"])["form"] == ""

    result = forms_desk.slack.submit_view(view, values("it", "help", answers=GOOD_ANSWERS))

    answer = result.json()
    assert answer["response_action"] == "update"
    assert _question_ids(answer["view"]) == [f"field:it:{key}" for key in ELEMENTS]
    assert _block(answer["view"], "description")["element"]["initial_value"] == "help"
    device = _block(answer["view"], "field:it:device")["element"]
    assert device["initial_option"]["value"] == "Phone"
    forms_desk.pulsedesk.finish_work()
    assert _count(forms_desk) == 0


def test_text_too_long_for_the_form_is_sent_back_whole(forms_desk: Desk) -> None:
    text = "it " + "the printer jams " * 200
    forms_desk.slack.slash_command(text)
    [reply] = forms_desk.fake.wait_for_call("response_url")
    assert "asks a few questions of its own" in reply.params["text"]
    assert "`/request it`" in text_of(reply)
    assert forms_desk.fake.calls_to("views.open") == []
    assert _count(forms_desk) == 0
