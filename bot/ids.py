"""Every action_id, block_id and callback_id the bot sends, and the one codec for button values."""

from __future__ import annotations

import re
from enum import StrEnum

# What Slack's own ids look like, for what a client sends: a person, a conversation (channel,
# private channel or DM) and a message's timestamp.
USER_ID = re.compile(r"^[UW][A-Z0-9]{2,31}$")
CONVERSATION_ID = re.compile(r"^[CDG][A-Z0-9]{2,31}$")
MESSAGE_TS = re.compile(r"^[0-9]{1,12}\.[0-9]{1,9}$")


class ActionId(StrEnum):
    CLAIM = "request_claim"
    UNCLAIM = "request_unclaim"
    RESOLVE = "request_resolve"
    REASSIGN = "request_reassign"
    # Claim from the DM that tells a department's lead a request is overdue.
    ESCALATED_CLAIM = "request_escalated_claim"
    # Waiting on the requester: the card's button that asks them something, the question in
    # its form, and the button that stops waiting.
    WAIT = "request_wait"
    WAIT_QUESTION = "request_wait_question"
    SENSITIVE = "request_sensitive"
    REQUESTER = "request_requester"
    # A private request's card: its text, shown to the department's agents only.
    VIEW_PRIVATE = "request_view_private"
    STOP_WAITING = "request_stop_waiting"
    CANCEL = "request_cancel"
    REOPEN = "request_reopen"
    DEPARTMENT = "request_department"
    DESCRIPTION = "request_description"
    URGENCY = "request_urgency"
    # Every question of a department's own on the form; its block says which.
    FIELD = "request_field"
    RATE_1 = "satisfaction_rate_1"
    RATE_2 = "satisfaction_rate_2"
    RATE_3 = "satisfaction_rate_3"
    RATE_4 = "satisfaction_rate_4"
    RATE_5 = "satisfaction_rate_5"
    PULSE_COMMENT = "satisfaction_comment"
    PULSE_COMMENT_TEXT = "satisfaction_comment_text"
    PULSE_CHANGE = "satisfaction_change"
    TALK_TO_LEAD = "satisfaction_talk_to_lead"
    WEEKLY_COMMENT = "weekly_comment"
    WEEKLY_COMMENT_ABOUT = "weekly_comment_about"
    WEEKLY_COMMENT_TEXT = "weekly_comment_text"
    # The comment form's "Let the team reply to me".
    WEEKLY_COMMENT_REPLY = "weekly_comment_reply"
    # App Home: a lead's "Share what we're doing" and its text; Reply to a comment and its text.
    WEEKLY_SHARE = "weekly_share"
    WEEKLY_SHARE_TEXT = "weekly_share_text"
    WEEKLY_REPLY = "weekly_reply"
    WEEKLY_REPLY_TEXT = "weekly_reply_text"
    SEND_KUDOS = "kudos_send"
    # App Home's button that opens the request form.
    HOME_NEW_REQUEST = "home_new_request"
    # Paging through a lead's departments on Home.
    HOME_PAGE_PREVIOUS = "home_page_previous"
    HOME_PAGE_NEXT = "home_page_next"
    KUDOS_MESSAGE = "kudos_message"
    KUDOS_VALUE = "kudos_value"


class BlockId(StrEnum):
    DEPARTMENT = "department"
    DESCRIPTION = "description"
    URGENCY = "urgency"
    CARD_ACTIONS = "card_actions"
    WAIT_QUESTION = "wait_question"
    SENSITIVE = "sensitive"
    REQUESTER = "requester"
    PULSE_RATING = "pulse_rating"
    PULSE_COMMENT = "pulse_comment"
    WEEKLY_COMMENT_ABOUT = "weekly_comment_about"
    WEEKLY_COMMENT_TEXT = "weekly_comment_text"
    WEEKLY_COMMENT_REPLY = "weekly_comment_reply"
    WEEKLY_SHARE_TEXT = "weekly_share_text"
    WEEKLY_REPLY_TEXT = "weekly_reply_text"
    KUDOS_MESSAGE = "kudos_message"
    KUDOS_VALUE = "kudos_value"


class CallbackId(StrEnum):
    NEW_REQUEST = "request_new"
    WAIT_ON_REQUESTER = "request_wait_on_requester"
    # The message shortcut that files a request from any message.
    FILE_FROM_MESSAGE = "request_from_message"
    PULSE_COMMENT = "satisfaction_comment"
    WEEKLY_COMMENT = "weekly_comment"
    WEEKLY_SHARE = "weekly_share"
    WEEKLY_REPLY = "weekly_reply"
    KUDOS_FOR_REQUEST = "kudos_for_request"


def encode_request_id(request_id: int) -> str:
    return f"req:{request_id}"


def decode_request_id(value: object) -> int | None:
    """The request id carried in a button value, or None if it is not one of ours."""
    return _decode_suffix(value, "req:")


def encode_pulse_id(pulse_id: int) -> str:
    return f"pulse:{pulse_id}"


def decode_pulse_id(value: object) -> int | None:
    return _decode_suffix(value, "pulse:")


# One action id per score, since ids must differ within a block: weekly_answer_0 … _10.
WEEKLY_ANSWER_PREFIX = "weekly_answer_"
# A weekly answer's payload as kept after the answer is stored: the score taken out.
WEEKLY_ANSWERED = "weekly_answered"
WEEKLY_ANSWER_PATTERN = re.compile(rf"^{WEEKLY_ANSWER_PREFIX}(\d{{1,2}})$")


def weekly_answer_action_id(score: int) -> str:
    return f"{WEEKLY_ANSWER_PREFIX}{score}"


def encode_weekly_question(delivery_id: int, index: int) -> str:
    return f"weekly:{delivery_id}:{index}"


def encode_weekly_delivery(delivery_id: int) -> str:
    return f"weekly:{delivery_id}"


def decode_weekly_delivery(value: object) -> int | None:
    return _decode_suffix(value, "weekly:")


def decode_weekly_question(value: object) -> tuple[int, int] | None:
    """(delivery id, question index) from a weekly pulse button's value."""
    if not isinstance(value, str):
        return None
    parts = value.split(":")
    if len(parts) != 3 or parts[0] != "weekly":
        return None
    delivery_id, index = parse_id(parts[1]), parse_id(parts[2])
    if delivery_id is None or index is None:
        return None
    return delivery_id, index


def encode_department_id(department_id: int) -> str:
    return f"dept:{department_id}"


def decode_department_id(value: object) -> int | None:
    return _decode_suffix(value, "dept:")


# A released weekly comment's id: random, 32 hex digits.
WEEKLY_COMMENT_ID = re.compile(r"^[0-9a-f]{32}$")


def encode_weekly_comment(comment_id: str) -> str:
    return f"wcomment:{comment_id}"


def decode_weekly_comment(value: object) -> str | None:
    """The comment id a Reply button or form carries, or None if it cannot be one."""
    if not isinstance(value, str):
        return None
    comment_id = value.removeprefix("wcomment:")
    return comment_id if WEEKLY_COMMENT_ID.match(comment_id) else None


def encode_card_actions_block_id(request_id: int) -> str:
    # A users_select carries no value, so the card's actions block names the request.
    return f"{BlockId.CARD_ACTIONS}:{request_id}"


def decode_card_actions_block_id(block_id: object) -> int | None:
    return _decode_suffix(block_id, f"{BlockId.CARD_ACTIONS}:")


FIELD_BLOCK_PREFIX = "field"
KEY_MAX = 64


def encode_field_block_id(department_key: str, field_key: str) -> str:
    """A department's question on the form. Its department is part of it, so that a form
    redrawn for another department never takes one question's answer for another's."""
    return f"{FIELD_BLOCK_PREFIX}:{department_key}:{field_key}"


def decode_field_block_id(block_id: object) -> tuple[str, str] | None:
    """(department key, question key) from a question's block id, or None if it is not one."""
    if not isinstance(block_id, str):
        return None
    parts = block_id.split(":")
    if len(parts) != 3 or parts[0] != FIELD_BLOCK_PREFIX:
        return None
    department_key, field_key = parts[1], parts[2]
    if not (0 < len(department_key) <= KEY_MAX and 0 < len(field_key) <= KEY_MAX):
        return None
    return department_key, field_key


def _decode_suffix(value: object, prefix: str) -> int | None:
    if not isinstance(value, str) or not value.startswith(prefix):
        return None
    return parse_id(value.removeprefix(prefix))


# The largest id a database column holds (a signed 64-bit integer); anything larger names
# no row, and must never reach the database, which refuses it with an error.
ID_MAX = 2**63 - 1


def parse_id(digits: object) -> int | None:
    """A row id from text a client sent (or an int from JSON), or None if it cannot be one."""
    if isinstance(digits, bool):
        return None
    if isinstance(digits, int):
        return digits if 0 <= digits <= ID_MAX else None
    if not isinstance(digits, str) or not digits.isascii() or not digits.isdigit():
        return None
    if len(digits) > len(str(ID_MAX)):
        return None
    number = int(digits)
    return number if number <= ID_MAX else None
