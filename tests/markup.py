"""What user text must never do once it is in a message: reach Slack as live markup."""

from __future__ import annotations

import json
import re
from typing import Any

# Markup a user can type that must never reach Slack unescaped.
DANGEROUS_MARKUP = ("<!channel>", "<!here>", "<!everyone>", "<@U123>", "<#C123>", "<https://evil")
# An ampersand that does not start one of the three entities Slack decodes.
BROKEN_ENTITY = re.compile(r"&(?!(?:amp|lt|gt);)")


def dumped(payload: Any) -> str:
    return json.dumps(payload, ensure_ascii=False)


def assert_no_dangerous_markup(payload: Any) -> None:
    text = dumped(payload)
    for markup in DANGEROUS_MARKUP:
        assert markup not in text, f"{markup!r} reached Slack unescaped"


def escaped_texts(payload: Any) -> list[str]:
    """The texts Slack parses as markup: mrkdwn text objects and a message's fallback text."""
    found: list[str] = []
    if isinstance(payload, dict):
        is_mrkdwn = payload.get("type") == "mrkdwn"
        is_fallback = isinstance(payload.get("text"), str) and "blocks" in payload
        if is_mrkdwn or is_fallback:
            found.append(payload["text"])
        for value in payload.values():
            if isinstance(value, dict | list):
                found += escaped_texts(value)
    elif isinstance(payload, list):
        for item in payload:
            found += escaped_texts(item)
    return found


def blocks_of_type(message: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [block for block in message["blocks"] if block["type"] == kind]
