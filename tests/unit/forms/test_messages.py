"""The new-request form and the answers on the card: every question type, hostile and
oversized input, checked against Slack's limits."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest

from bot.blockkit import STATIC_SELECT_OPTIONS_MAX, VIEW_BLOCKS_MAX
from bot.forms.messages import FIELDS_MAX, OWN_INPUTS, answer_fields, build_new_request_modal
from bot.forms.rules import Answer, FieldDefinition, FieldType, FormSource, form_version
from bot.ids import ActionId, BlockId, CallbackId, encode_field_block_id
from bot.requests.messages import build_filed_confirmation, build_request_card
from bot.requests.rules import RequestStatus, Urgency
from bot.sandbox.limits import block_kit_problems, message_problems
from tests.markup import BROKEN_ENTITY, assert_no_dangerous_markup, escaped_texts
from tests.unit.requests.test_messages import (
    CREATED,
    MENTION_TEXT,
    NORMAL_DEPARTMENT,
    TEXTS,
    make_request,
    many_departments,
)

EVERY_TYPE = (
    FieldDefinition("device", "Device", FieldType.SELECT, True, "Which one?", ("Laptop", "Phone")),
    FieldDefinition("needed_by", "Needed by", FieldType.DATE, True),
    FieldDefinition("asset_tag", "Asset tag", FieldType.TEXT),
    FieldDefinition("steps", "What you tried", FieldType.LONG_TEXT),
    FieldDefinition("manager", "Manager", FieldType.USER),
    FieldDefinition("budget", "Budget (EUR)", FieldType.NUMBER),
)
IT = replace(NORMAL_DEPARTMENT, fields=EVERY_TYPE)
ELEMENTS = {
    "device": "static_select",
    "needed_by": "datepicker",
    "asset_tag": "plain_text_input",
    "steps": "plain_text_input",
    "manager": "users_select",
    "budget": "number_input",
}


def _modal_element(view: dict[str, Any], block_id: str) -> dict[str, Any]:
    [block] = [b for b in view["blocks"] if b.get("block_id") == block_id]
    element: dict[str, Any] = block["element"]
    return element


@pytest.mark.parametrize("text_id", list(TEXTS))
@pytest.mark.parametrize("count", [0, 1, 2, 100, 101, 150])
def test_new_request_modal_within_limits(count: int, text_id: str) -> None:
    departments = many_departments(count)
    view = build_new_request_modal(
        departments,
        selected_key=departments[-1].key if departments else None,
        text=TEXTS[text_id],
        origin_channel_id="C0ORIGIN",
    )
    assert block_kit_problems(view, surface="view") == []
    assert view["type"] == "modal"
    assert view["callback_id"] == CallbackId.NEW_REQUEST
    assert json.loads(view["private_metadata"]) == {"channel": "C0ORIGIN", "form": ""}
    select = _modal_element(view, BlockId.DEPARTMENT)
    assert len(select["options"]) == min(count, STATIC_SELECT_OPTIONS_MAX)
    if "initial_option" in select:
        assert select["initial_option"] in select["options"]
    # The description is the user's own text in an editable input: it stays raw, only cut.
    description = _modal_element(view, BlockId.DESCRIPTION)
    if TEXTS[text_id]:
        assert TEXTS[text_id].startswith(description["initial_value"].removesuffix("…"))
    without_input_value = {**description}
    without_input_value.pop("initial_value", None)
    others = {
        **view,
        "blocks": [b for b in view["blocks"] if b.get("block_id") != BlockId.DESCRIPTION],
    }
    assert_no_dangerous_markup(others)
    assert_no_dangerous_markup(without_input_value)


def test_new_request_modal_preselects_department_and_keeps_text() -> None:
    departments = many_departments(3, name_length=20)
    view = build_new_request_modal(departments, selected_key="dept-1", text="hello & <world>")
    select = _modal_element(view, BlockId.DEPARTMENT)
    assert select["initial_option"]["value"] == "dept-1"
    assert _modal_element(view, BlockId.DESCRIPTION)["initial_value"] == "hello & <world>"
    assert json.loads(view["private_metadata"]) == {"channel": None, "form": ""}
    urgency = _modal_element(view, BlockId.URGENCY)
    assert [o["value"] for o in urgency["options"]] == [Urgency.NORMAL, Urgency.HIGH]
    assert urgency["initial_option"]["value"] == Urgency.NORMAL


def test_new_request_modal_without_selection_or_text() -> None:
    view = build_new_request_modal(many_departments(3))
    assert "initial_option" not in _modal_element(view, BlockId.DEPARTMENT)
    assert "initial_value" not in _modal_element(view, BlockId.DESCRIPTION)
    assert block_kit_problems(view, surface="view") == []


def test_new_request_modal_unknown_selection_is_ignored() -> None:
    view = build_new_request_modal(many_departments(3), selected_key="nope")
    assert "initial_option" not in _modal_element(view, BlockId.DEPARTMENT)


def test_new_request_modal_option_text_is_cut_to_75() -> None:
    view = build_new_request_modal(many_departments(2, name_length=200))
    for opt in _modal_element(view, BlockId.DEPARTMENT)["options"]:
        assert len(opt["text"]["text"]) <= 75


# The department's own questions ------------------------------------------------------------


def _question(view: dict[str, Any], key: str) -> dict[str, Any]:
    [block] = [b for b in view["blocks"] if b.get("block_id") == encode_field_block_id("it", key)]
    return block


def test_the_chosen_departments_questions_follow_the_description() -> None:
    view = build_new_request_modal([IT], selected_key="it")
    assert block_kit_problems(view, surface="view") == []
    ids = [b["block_id"] for b in view["blocks"]]
    questions = [encode_field_block_id("it", d.key) for d in EVERY_TYPE]
    assert ids == [
        BlockId.DEPARTMENT,
        BlockId.DESCRIPTION,
        *questions,
        BlockId.URGENCY,
        BlockId.SENSITIVE,
    ]
    for definition in EVERY_TYPE:
        block = _question(view, definition.key)
        assert block["element"]["type"] == ELEMENTS[definition.key]
        assert block["element"]["action_id"] == ActionId.FIELD
        assert block["label"]["text"] == definition.label
        assert block["optional"] is not definition.required
    assert _question(view, "steps")["element"]["multiline"] is True
    assert _question(view, "asset_tag")["element"]["multiline"] is False
    assert _question(view, "budget")["element"]["is_decimal_allowed"] is True
    assert _question(view, "device")["hint"]["text"] == "Which one?"
    assert [o["value"] for o in _question(view, "device")["element"]["options"]] == [
        "Laptop",
        "Phone",
    ]
    metadata = json.loads(view["private_metadata"])
    assert metadata["form"] == form_version("it", EVERY_TYPE) != ""


def test_choosing_a_department_asks_for_the_form_again() -> None:
    block = build_new_request_modal([IT])["blocks"][0]
    assert block["block_id"] == BlockId.DEPARTMENT
    assert block["dispatch_action"] is True
    assert block["element"]["action_id"] == ActionId.DEPARTMENT


def test_no_department_chosen_asks_no_questions() -> None:
    view = build_new_request_modal([IT])
    assert [b["block_id"] for b in view["blocks"]] == [
        BlockId.DEPARTMENT,
        BlockId.DESCRIPTION,
        BlockId.URGENCY,
        BlockId.SENSITIVE,
    ]
    assert json.loads(view["private_metadata"])["form"] == ""


def test_a_form_from_someone_elses_message_asks_who_is_asking() -> None:
    source = FormSource("C0GENERAL", "1700000000.000100", "U0ALICE", "Alice")
    view = build_new_request_modal([IT], selected_key="it", source=source, for_author=True)
    assert len(view["blocks"]) == OWN_INPUTS + len(EVERY_TYPE)
    assert block_kit_problems(view, surface="view") == []
    asker = view["blocks"][-1]
    assert asker["block_id"] == BlockId.REQUESTER
    assert asker["element"]["initial_option"]["value"] == "author"
    assert json.loads(view["private_metadata"])["source"]["author"] == "U0ALICE"


def test_answers_fill_the_questions_they_fit() -> None:
    answers = {
        "device": "Phone",
        "needed_by": "2026-12-24",
        "asset_tag": "A-1 & <b>",
        "steps": "restarted\nthen cried",
        "manager": "U0BOSS",
        "budget": "12.5",
    }
    view = build_new_request_modal([IT], selected_key="it", answers=answers, urgency="high")
    assert block_kit_problems(view, surface="view") == []
    assert _question(view, "device")["element"]["initial_option"]["value"] == "Phone"
    assert _question(view, "needed_by")["element"]["initial_date"] == "2026-12-24"
    assert _question(view, "asset_tag")["element"]["initial_value"] == "A-1 & <b>"
    assert _question(view, "manager")["element"]["initial_user"] == "U0BOSS"
    assert _question(view, "budget")["element"]["initial_value"] == "12.5"
    assert _modal_element(view, BlockId.URGENCY)["initial_option"]["value"] == Urgency.HIGH


@pytest.mark.parametrize(
    ("key", "value", "initial"),
    [
        ("device", "Tablet", "initial_option"),
        ("needed_by", "2026-02-30", "initial_date"),
        ("needed_by", "tomorrow", "initial_date"),
        ("manager", "<!channel>", "initial_user"),
        ("budget", "twelve", "initial_value"),
    ],
)
def test_an_answer_its_element_cannot_hold_is_left_out(key: str, value: str, initial: str) -> None:
    view = build_new_request_modal([IT], selected_key="it", answers={key: value})
    assert initial not in _question(view, key)["element"]
    assert block_kit_problems(view, surface="view") == []


def _biggest_form() -> list[FieldDefinition]:
    options = tuple(f"{n:02d} " + "ü" * 72 for n in range(STATIC_SELECT_OPTIONS_MAX))
    return [
        FieldDefinition(
            f"q{n}",
            ("Label <!channel> & " * 200)[:2000],
            list(FieldType)[n % len(FieldType)],
            n % 2 == 0,
            ("Hint & " * 400)[:2000],
            options if list(FieldType)[n % len(FieldType)] is FieldType.SELECT else (),
        )
        for n in range(FIELDS_MAX)
    ]


def test_the_most_questions_a_department_may_ask_fit_in_the_form() -> None:
    department = replace(IT, fields=tuple(_biggest_form()))
    view = build_new_request_modal(
        [department, *many_departments(150)],
        selected_key="it",
        text=TEXTS["long-10000"],
        answers={f"q{n}": "x" * 5000 for n in range(FIELDS_MAX)},
        # Opened from someone else's message: every input the form can have.
        source=FormSource("C0GENERAL", "1700000000.000100", "U0ALICE", "A" * 500),
    )
    assert len(view["blocks"]) == VIEW_BLOCKS_MAX
    assert block_kit_problems(view, surface="view") == []


# The answers on the card -------------------------------------------------------------------

ANSWERS = (
    Answer("device", "Device", FieldType.SELECT, "Laptop"),
    Answer("needed_by", "Needed by", FieldType.DATE, "2026-12-24"),
    Answer("asset_tag", "Asset <tag> & co", FieldType.TEXT, MENTION_TEXT),
    Answer("manager", "Manager", FieldType.USER, "U0BOSS"),
    Answer("budget", "Budget", FieldType.NUMBER, "12.5"),
)


def test_answers_show_as_label_and_value() -> None:
    [block] = answer_fields(ANSWERS)
    texts = [f["text"] for f in block["fields"]]
    assert texts[0] == "*Device*\nLaptop"
    assert texts[1] == "*Needed by*\nThu 24 Dec 2026"
    assert texts[2].startswith("*Asset &lt;tag&gt; &amp; co*\n&lt;!channel&gt;")
    assert texts[3] == "*Manager*\n<@U0BOSS>"
    assert texts[4] == "*Budget*\n12.5"


def test_a_stored_answer_that_is_not_what_its_type_says_is_shown_as_text() -> None:
    odd = (
        Answer("manager", "Manager", FieldType.USER, "<!here>"),
        Answer("needed_by", "Needed by", FieldType.DATE, "soon <@U1>"),
    )
    [block] = answer_fields(odd)
    assert [f["text"] for f in block["fields"]] == [
        "*Manager*\n&lt;!here&gt;",
        "*Needed by*\nsoon &lt;@U1&gt;",
    ]


@pytest.mark.parametrize("count", [0, 1, 10, 11, FIELDS_MAX])
@pytest.mark.parametrize("text_id", ["mentions-long", "ampersands-10000", "unicode"])
def test_the_card_and_confirmation_with_answers_stay_within_limits(
    count: int, text_id: str
) -> None:
    answers = tuple(
        Answer(f"q{n}", TEXTS[text_id][:2000], FieldType.LONG_TEXT, TEXTS[text_id][:2000])
        for n in range(count)
    )
    request = replace(make_request(status=RequestStatus.OPEN, department=IT), answers=answers)
    for message in (
        build_request_card(request, now=CREATED),
        build_filed_confirmation(request, card_posted=True),
    ):
        assert message_problems(message) == []
        assert_no_dangerous_markup(message)
        assert not [t for t in escaped_texts(message) if BROKEN_ENTITY.search(t)]
    card = build_request_card(request, now=CREATED)
    shown = [f for b in card["blocks"] for f in b.get("fields", [])]
    assert len(shown) == 4 + count
