"""Block Kit shared by every feature: small element constructors that keep their own limits,
and the one-line notice."""

from __future__ import annotations

from typing import Any

from bot.text import truncate, truncate_escaped

Block = dict[str, Any]
# A message to post: fallback `text` and `blocks`.
Message = dict[str, Any]

SECTION_TEXT_MAX = 3000
FIELD_TEXT_MAX = 2000
SECTION_FIELDS_MAX = 10
HEADER_TEXT_MAX = 150
BUTTON_TEXT_MAX = 75
OPTION_TEXT_MAX = 75
MODAL_TITLE_MAX = 24
MESSAGE_BLOCKS_MAX = 50
VIEW_BLOCKS_MAX = 100
IMAGE_ALT_TEXT_MAX = 2000
IMAGE_TITLE_MAX = 2000
INPUT_MAX_LENGTH = 3000
INPUT_LABEL_MAX = 2000
INPUT_HINT_MAX = 2000
STATIC_SELECT_OPTIONS_MAX = 100
# Notification fallback text: short on purpose, far under the 40,000 limit.
FALLBACK_TEXT_MAX = 300


def plain(text: str, limit: int | None = None) -> dict[str, Any]:
    return {"type": "plain_text", "text": truncate(text, limit) if limit else text, "emoji": True}


def mrkdwn(text: str) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": text}


def header(escaped_text: str) -> Block:
    return {
        "type": "header",
        "text": {
            "type": "plain_text",
            "text": truncate_escaped(escaped_text, HEADER_TEXT_MAX),
            "emoji": True,
        },
    }


def section(text: str, *, accessory: Block | None = None, block_id: str | None = None) -> Block:
    block: Block = {"type": "section", "text": mrkdwn(text)}
    if accessory is not None:
        block["accessory"] = accessory
    if block_id is not None:
        block["block_id"] = block_id
    return block


def fields(*texts: str) -> Block:
    return {"type": "section", "fields": [mrkdwn(text) for text in texts]}


def context(*texts: str) -> Block:
    return {"type": "context", "elements": [mrkdwn(text) for text in texts]}


def slack_image(file_id: str, *, alt_text: str, title: str | None = None) -> Block:
    """A picture the app shared in Slack, shown by its file id."""
    block: Block = {
        "type": "image",
        "slack_file": {"id": file_id},
        "alt_text": alt_text[:IMAGE_ALT_TEXT_MAX],
    }
    if title is not None:
        block["title"] = plain(title, IMAGE_TITLE_MAX)
    return block


def divider() -> Block:
    return {"type": "divider"}


def button(
    text: str, *, action_id: str, value: str, style: str | None = None, url: str | None = None
) -> Block:
    element: Block = {
        "type": "button",
        "text": plain(text, BUTTON_TEXT_MAX),
        "action_id": action_id,
        "value": value,
    }
    if style is not None:
        element["style"] = style
    if url is not None:
        element["url"] = url
    return element


def actions(*elements: Block, block_id: str | None = None) -> Block:
    block: Block = {"type": "actions", "elements": list(elements)}
    if block_id is not None:
        block["block_id"] = block_id
    return block


def option(text: str, value: str) -> Block:
    return {"text": plain(text, OPTION_TEXT_MAX), "value": value}


def build_notice(text: str) -> Message:
    """A one-line answer; `text` must already be safe mrkdwn."""
    return {
        "text": truncate_escaped(text, FALLBACK_TEXT_MAX),
        "blocks": [section(truncate_escaped(text, SECTION_TEXT_MAX))],
    }
