"""What the sandbox's Slack refuses in a view's inputs, as Slack does (`invalid_blocks`)."""

from __future__ import annotations

from typing import Any

import pytest

from bot.sandbox.limits import block_kit_problems


def _modal(block: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "modal",
        "title": {"type": "plain_text", "text": "Form"},
        "submit": {"type": "plain_text", "text": "Send"},
        "blocks": [block],
    }


def _input(element: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {
        "type": "input",
        "block_id": "b",
        "label": {"type": "plain_text", "text": "Label"},
        "element": {"action_id": "a", **element},
        **fields,
    }


LAPTOP = {"text": {"type": "plain_text", "text": "Laptop"}, "value": "Laptop"}


@pytest.mark.parametrize(
    "block",
    [
        _input({"type": "number_input", "is_decimal_allowed": True, "initial_value": "-2.5"}),
        _input({"type": "number_input", "is_decimal_allowed": False, "initial_value": "3"}),
        _input({"type": "datepicker", "initial_date": "2026-12-24"}),
        _input({"type": "static_select", "options": [LAPTOP], "initial_option": LAPTOP}),
        _input({"type": "users_select"}, optional=True, dispatch_action=True),
        _input(
            {"type": "plain_text_input"},
            label={"type": "plain_text", "text": "L" * 2000},
            hint={"type": "plain_text", "text": "h" * 2000},
        ),
    ],
)
def test_inputs_slack_takes(block: dict[str, Any]) -> None:
    assert block_kit_problems(_modal(block), surface="view") == []


@pytest.mark.parametrize(
    ("block", "problem"),
    [
        (_input({"type": "number_input"}), "number_input needs is_decimal_allowed"),
        (
            _input({"type": "number_input", "is_decimal_allowed": True, "initial_value": "a"}),
            "initial_value is not a number",
        ),
        (
            _input({"type": "number_input", "is_decimal_allowed": False, "initial_value": "1.5"}),
            "a decimal initial_value needs is_decimal_allowed",
        ),
        (_input({"type": "datepicker", "initial_date": "24/12/2026"}), "YYYY-MM-DD"),
        (
            _input(
                {
                    "type": "static_select",
                    "options": [LAPTOP],
                    "initial_option": {**LAPTOP, "value": "x"},
                }
            ),
            "initial_option is not one of the options",
        ),
        (_input({"type": "users_select"}, label={"type": "mrkdwn", "text": "*L*"}), "plain_text"),
        (
            _input({"type": "users_select"}, label={"type": "plain_text", "text": "L" * 2001}),
            "input label must be 1 to 2000",
        ),
        (
            _input({"type": "users_select"}, hint={"type": "plain_text", "text": "h" * 2001}),
            "hint over 2000",
        ),
        (_input({"type": "users_select"}, dispatch_action="yes"), "dispatch_action must be"),
    ],
)
def test_inputs_slack_refuses(block: dict[str, Any], problem: str) -> None:
    problems = block_kit_problems(_modal(block), surface="view")
    assert len(problems) == 1
    assert problem in problems[0]
