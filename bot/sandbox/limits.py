"""Slack's Block Kit and message limits: what Slack refuses with `invalid_blocks`."""

from __future__ import annotations

import re
from typing import Any

MESSAGE_TEXT_MAX = 40_000
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


def _text_len(obj: Any) -> int:
    return len(obj.get("text", "")) if isinstance(obj, dict) else 0


def _element_problems(element: dict[str, Any], where: str) -> list[str]:
    problems = []
    kind = element.get("type")
    if len(element.get("action_id", "")) > 255:
        problems.append(f"{where}: action_id over 255")
    if kind == "button":
        if element["text"].get("type") != "plain_text" or _text_len(element["text"]) > 75:
            problems.append(f"{where}: button text must be plain_text of at most 75")
        if len(element.get("value", "")) > 2000:
            problems.append(f"{where}: button value over 2000")
        if element.get("style") not in (None, "primary", "danger"):
            problems.append(f"{where}: button style {element.get('style')!r}")
    if kind in ("static_select", "radio_buttons"):
        options = element.get("options", [])
        if len(options) > 100:
            problems.append(f"{where}: more than 100 options")
        for option in options:
            if _text_len(option["text"]) > 75 or len(option["value"]) > 150:
                problems.append(f"{where}: option text over 75 or value over 150")
        if "initial_option" in element and element["initial_option"] not in options:
            problems.append(f"{where}: initial_option is not one of the options")
    if kind == "number_input":
        if not isinstance(element.get("is_decimal_allowed"), bool):
            problems.append(f"{where}: number_input needs is_decimal_allowed")
        initial = element.get("initial_value")
        if initial is not None and not NUMBER.match(str(initial)):
            problems.append(f"{where}: initial_value is not a number")
        elif initial is not None and "." in initial and not element["is_decimal_allowed"]:
            problems.append(f"{where}: a decimal initial_value needs is_decimal_allowed")
    initial_date = element.get("initial_date")
    if kind == "datepicker" and initial_date is not None and not ISO_DATE.match(str(initial_date)):
        problems.append(f"{where}: initial_date must be YYYY-MM-DD")
    if kind == "plain_text_input":
        max_length = element.get("max_length", 3000)
        if max_length > 3000:
            problems.append(f"{where}: max_length over 3000")
        if len(element.get("initial_value", "")) > max_length:
            problems.append(f"{where}: initial_value longer than max_length")
    return problems


def _block_problems(block: dict[str, Any], where: str, *, surface: str) -> list[str]:
    problems = []
    kind = block.get("type")
    if kind == "section":
        if _text_len(block.get("text")) > 3000:
            problems.append(f"{where}: section text over 3000")
        fields = block.get("fields", [])
        if len(fields) > 10 or any(_text_len(f) > 2000 for f in fields):
            problems.append(f"{where}: more than 10 fields or a field over 2000")
        if "text" not in block and not fields:
            problems.append(f"{where}: section without text or fields")
        if "accessory" in block:
            problems += _element_problems(block["accessory"], where + ".accessory")
    elif kind == "header":
        if block["text"].get("type") != "plain_text" or _text_len(block["text"]) > 150:
            problems.append(f"{where}: header must be plain_text of at most 150")
    elif kind == "context":
        elements = block.get("elements", [])
        if not 1 <= len(elements) <= 10:
            problems.append(f"{where}: context needs 1 to 10 elements")
        if any(_text_len(e) > 2000 for e in elements):
            problems.append(f"{where}: context element over 2000")
    elif kind == "actions":
        elements = block.get("elements", [])
        if not 1 <= len(elements) <= 25:
            problems.append(f"{where}: actions needs 1 to 25 elements")
        for index, element in enumerate(elements):
            problems += _element_problems(element, f"{where}.elements[{index}]")
    elif kind == "input":
        if surface == "message":
            problems.append(f"{where}: input blocks are for modals and Home only")
        label = block.get("label")
        if not isinstance(label, dict) or label.get("type") != "plain_text":
            problems.append(f"{where}: input label must be plain_text")
        elif not 1 <= _text_len(label) <= 2000:
            problems.append(f"{where}: input label must be 1 to 2000")
        if "hint" in block and _text_len(block["hint"]) > 2000:
            problems.append(f"{where}: hint over 2000")
        for flag in ("optional", "dispatch_action"):
            if flag in block and not isinstance(block[flag], bool):
                problems.append(f"{where}: {flag} must be true or false")
        problems += _element_problems(block["element"], where + ".element")
    elif kind not in ("divider", "image", "rich_text"):
        problems.append(f"{where}: unknown block type {kind!r}")
    if len(block.get("block_id", "")) > 255:
        problems.append(f"{where}: block_id over 255")
    return problems


def block_kit_problems(payload: Any, *, surface: str) -> list[str]:
    """Everything in a message's blocks (surface="message") or a view that Slack would reject."""
    problems: list[str] = []
    if surface == "view":
        view = payload
        blocks = view.get("blocks", [])
        if len(blocks) > 100:
            problems.append("view: more than 100 blocks")
        if view.get("type") == "modal":
            if _text_len(view.get("title")) > 24:
                problems.append("view: title over 24")
            for key in ("submit", "close"):
                if key in view and _text_len(view[key]) > 24:
                    problems.append(f"view: {key} over 24")
            if any(b.get("type") == "input" for b in blocks) and "submit" not in view:
                problems.append("view: input blocks need a submit button")
        if len(view.get("private_metadata", "")) > 3000:
            problems.append("view: private_metadata over 3000")
        if len(view.get("callback_id", "")) > 255:
            problems.append("view: callback_id over 255")
    else:
        blocks = payload or []
        if len(blocks) > 50:
            problems.append("message: more than 50 blocks")
    block_ids = [b["block_id"] for b in blocks if "block_id" in b]
    if len(block_ids) != len(set(block_ids)):
        problems.append("block_id values are not unique")
    for index, block in enumerate(blocks):
        problems += _block_problems(block, f"blocks[{index}]", surface=surface)
    return problems


def message_problems(message: dict[str, Any]) -> list[str]:
    problems = block_kit_problems(message.get("blocks"), surface="message")
    text = message.get("text")
    if not text:
        problems.append("message: no fallback text")
    elif len(text) > MESSAGE_TEXT_MAX:
        problems.append("message: text over 40,000")
    return problems
