"""Block Kit for waiting on the requester: the agent's form, the question as each side reads it,
the nudge and the closing. The question is a person's text, escaped like all user text."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from bot.blockkit import (
    FALLBACK_TEXT_MAX,
    INPUT_MAX_LENGTH,
    SECTION_TEXT_MAX,
    Block,
    Message,
    actions,
    button,
    context,
    plain,
    section,
)
from bot.ids import ActionId, BlockId, CallbackId, encode_request_id
from bot.requests.rules import RequestSnapshot
from bot.text import escape, escape_truncate, slack_date, truncate_escaped, user_mention

QUESTION_MAX_LENGTH = INPUT_MAX_LENGTH


def _about(request: RequestSnapshot) -> str:
    return f"*{request.reference}* ({escape(request.summary)})"


def _own(request: RequestSnapshot) -> str:
    """As the requester reads it named, in what only they see."""
    return f"*{request.reference}* ({escape(request.own_summary)})"


def build_wait_modal(request: RequestSnapshot) -> dict[str, Any]:
    question: Block = {
        "type": "input",
        "block_id": BlockId.WAIT_QUESTION,
        "optional": True,
        "label": plain("What do you need from them?"),
        "hint": plain(
            "Sent to the requester in their thread of the request. The service level's clock "
            "stops until they reply."
        ),
        "element": {
            "type": "plain_text_input",
            "action_id": ActionId.WAIT_QUESTION,
            "multiline": True,
            "max_length": QUESTION_MAX_LENGTH,
        },
    }
    return {
        "type": "modal",
        "callback_id": CallbackId.WAIT_ON_REQUESTER,
        "private_metadata": json.dumps({"request_id": request.id}),
        "title": plain("Wait on requester"),
        "submit": plain("Wait"),
        "close": plain("Cancel"),
        "blocks": [
            section(f"{_about(request)} waits on {user_mention(request.requester_id)}."),
            question,
        ],
    }


def _with_question(text: str, question: str) -> Message:
    blocks: list[Block] = [section(text)]
    if question:
        blocks.append(section(escape_truncate(question, SECTION_TEXT_MAX)))
    fallback = f"{text} {escape(question)}" if question else text
    return {"text": truncate_escaped(fallback, FALLBACK_TEXT_MAX), "blocks": blocks}


def build_question_for_desk(request: RequestSnapshot, *, agent_id: str, question: str) -> Message:
    """In the card's thread: the team sees what was asked."""
    # A private request's channel is not told who filed it.
    requester = "the requester" if request.private else user_mention(request.requester_id)
    text = f":speech_balloon: {user_mention(agent_id)} is waiting on {requester}"
    return _with_question(text + (":" if question else "."), question)


def build_question_for_requester(
    request: RequestSnapshot, *, agent_id: str, question: str
) -> Message:
    """In the requester's thread of the request."""
    text = (
        f":speech_balloon: {user_mention(agent_id)} of {escape(request.department.name)} needs "
        f"something from you to go on with {_own(request)}. Reply in this thread"
    )
    return _with_question(text + (":" if question else "."), question)


def build_nudge(request: RequestSnapshot, *, closes_at: datetime | None) -> Message:
    text = (
        f":wave: {escape(request.department.name)} is still waiting for your reply on "
        f"{_own(request)}. Reply in this thread to go on"
    )
    text += f", or it will be closed {slack_date(closes_at)}." if closes_at else "."
    return {"text": truncate_escaped(text, FALLBACK_TEXT_MAX), "blocks": [section(text)]}


def build_closed_unanswered_dm(request: RequestSnapshot) -> Message:
    text = (
        f"{_own(request)} was closed: {escape(request.department.name)} did not hear back "
        "from you. Reopen it if you still need help."
    )
    return {
        "text": truncate_escaped(text, FALLBACK_TEXT_MAX),
        "blocks": [
            section(text),
            actions(
                button("Reopen", action_id=ActionId.REOPEN, value=encode_request_id(request.id))
            ),
            context(f"Filed {slack_date(request.created_at)}"),
        ],
    }
