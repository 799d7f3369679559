"""A department's questions: answers read and checked for every type, kept with the label and
type they were asked with, and counted for the report."""

from __future__ import annotations

import pytest

from bot.forms.rules import (
    LONG_TEXT_MAX,
    TEXT_MAX,
    Answer,
    FieldDefinition,
    FieldType,
    FormState,
    check_answers,
    form_version,
    needs_form,
    tally_choices,
)

DEVICE = FieldDefinition("device", "Device", FieldType.SELECT, True, None, ("Laptop", "Phone"))
NEEDED_BY = FieldDefinition("needed_by", "Needed by", FieldType.DATE)
TAG = FieldDefinition("asset_tag", "Asset tag", FieldType.TEXT)
STEPS = FieldDefinition("steps", "What you tried", FieldType.LONG_TEXT)
MANAGER = FieldDefinition("manager", "Manager", FieldType.USER)
BUDGET = FieldDefinition("budget", "Budget", FieldType.NUMBER)
EVERY_TYPE = (DEVICE, NEEDED_BY, TAG, STEPS, MANAGER, BUDGET)


@pytest.mark.parametrize(
    ("definition", "given", "kept"),
    [
        (DEVICE, "Phone", "Phone"),
        (DEVICE, "  Laptop ", "Laptop"),
        (NEEDED_BY, "2026-02-28", "2026-02-28"),
        (NEEDED_BY, "2028-02-29", "2028-02-29"),
        (TAG, "  A-1\n2\tB ", "A-1 2 B"),
        (TAG, "x" * TEXT_MAX, "x" * TEXT_MAX),
        (STEPS, "first\nsecond\x00", "first\nsecond"),
        (STEPS, "y" * LONG_TEXT_MAX, "y" * LONG_TEXT_MAX),
        (MANAGER, "U0BOSS", "U0BOSS"),
        (MANAGER, "W0GRID", "W0GRID"),
        (BUDGET, "12", "12"),
        (BUDGET, "-3.25", "-3.25"),
        (BUDGET, "0", "0"),
    ],
)
def test_a_good_answer_is_kept_with_its_label_and_type(
    definition: FieldDefinition, given: str, kept: str
) -> None:
    checked = check_answers([definition], {definition.key: given})
    assert checked.errors == {}
    assert checked.answers == (Answer(definition.key, definition.label, definition.type, kept),)


@pytest.mark.parametrize(
    ("definition", "given", "problem"),
    [
        (DEVICE, "Tablet", "Choose one of the options."),
        (DEVICE, "laptop", "Choose one of the options."),
        (NEEDED_BY, "2026-02-30", "Pick a date from the calendar."),
        (NEEDED_BY, "30/12/2026", "Pick a date from the calendar."),
        (NEEDED_BY, "2026-1-5", "Pick a date from the calendar."),
        (TAG, "x" * (TEXT_MAX + 1), f"Keep it under {TEXT_MAX} characters."),
        (STEPS, "y" * (LONG_TEXT_MAX + 1), f"Keep it under {LONG_TEXT_MAX} characters."),
        (MANAGER, "<!channel>", "Choose a person from the list."),
        (MANAGER, "U0BOSS> <!here", "Choose a person from the list."),
        (MANAGER, "C0CHANNEL", "Choose a person from the list."),
        (BUDGET, "twelve", "Enter a number, such as 12 or 4.5."),
        (BUDGET, "1e9", "Enter a number, such as 12 or 4.5."),
        (BUDGET, "NaN", "Enter a number, such as 12 or 4.5."),
        (BUDGET, "1,5", "Enter a number, such as 12 or 4.5."),
        (BUDGET, "9" * 16, "Enter a number, such as 12 or 4.5."),
    ],
)
def test_a_bad_answer_is_refused_with_what_to_do(
    definition: FieldDefinition, given: str, problem: str
) -> None:
    checked = check_answers([definition], {definition.key: given})
    assert checked.errors == {definition.key: problem}
    assert checked.answers == ()


def test_a_required_question_left_blank_is_asked_for_and_an_optional_one_skipped() -> None:
    required = [FieldDefinition(d.key, d.label, d.type, True, None, d.options) for d in EVERY_TYPE]
    checked = check_answers(required, {"device": "  ", "asset_tag": "\x00"})
    assert checked.errors == {
        "device": "Choose one of the options.",
        "needed_by": "Pick a date.",
        "asset_tag": "Fill this in.",
        "steps": "Fill this in.",
        "manager": "Choose a person.",
        "budget": "Enter a number.",
    }
    optional = check_answers(EVERY_TYPE[1:], {})
    assert optional == check_answers(EVERY_TYPE[1:], {"budget": ""})
    assert (optional.answers, optional.errors) == ((), {})


def test_answers_follow_the_questions_order_and_unasked_ones_are_ignored() -> None:
    given = {"budget": "5", "device": "Laptop", "other": "<!channel>", "needed_by": "2026-12-24"}
    checked = check_answers(EVERY_TYPE, given)
    assert checked.errors == {}
    assert [a.key for a in checked.answers] == ["device", "needed_by", "budget"]


def test_an_answer_reads_back_as_stored_even_of_a_type_since_dropped() -> None:
    answer = Answer("needed_by", "Needed by", FieldType.DATE, "2026-12-24")
    assert Answer.from_stored(answer.stored()) == answer
    future = {"key": "k", "label": "Colour", "type": "colour", "value": "red"}
    assert Answer.from_stored(future) == Answer("k", "Colour", FieldType.TEXT, "red")


def test_only_a_required_question_needs_the_form() -> None:
    assert needs_form(EVERY_TYPE)
    assert not needs_form(EVERY_TYPE[1:])
    assert not needs_form(())


def test_the_form_version_changes_with_any_question_and_is_blank_without_any() -> None:
    version = form_version("it", EVERY_TYPE)
    assert version.startswith("it:")
    assert version == form_version("it", list(EVERY_TYPE))
    assert version != form_version("hr", EVERY_TYPE)
    assert version != form_version("it", EVERY_TYPE[:-1])
    relabelled = FieldDefinition("budget", "Budget (EUR)", FieldType.NUMBER)
    assert version != form_version("it", (*EVERY_TYPE[:-1], relabelled))
    assert form_version("it", ()) == form_version("hr", ()) == ""


def test_a_form_redrawn_for_another_department_keeps_answers_to_questions_of_the_same_key() -> None:
    state = FormState(
        department_key="hr",
        answers={"it": {"location": "Berlin", "device": "Laptop"}, "hr": {"device": "Desk"}},
    )
    assert state.answers_for("hr") == {"location": "Berlin", "device": "Desk"}
    assert state.answers_for("facilities") == {"location": "Berlin", "device": "Desk"}
    assert FormState().answers_for("it") == {}


def test_choices_are_counted_per_option_current_ones_first_then_removed_ones() -> None:
    asked = [
        (Answer("device", "Device", FieldType.SELECT, "Phone"),),
        (
            Answer("device", "Device", FieldType.SELECT, "Phone"),
            Answer("budget", "Budget", FieldType.NUMBER, "5"),
        ),
        (Answer("device", "Device", FieldType.SELECT, "Fax"),),
        (Answer("floor", "Floor", FieldType.SELECT, "3"),),
        (Answer("floor", "Floor", FieldType.SELECT, "1"),),
        (),
    ]
    assert tally_choices(EVERY_TYPE, asked) == {
        "device": {"Laptop": 0, "Phone": 2, "Fax": 1},
        "floor": {"1": 1, "3": 1},
    }
    assert list(tally_choices(EVERY_TYPE, asked)["device"]) == ["Laptop", "Phone", "Fax"]
    assert tally_choices((), []) == {}
