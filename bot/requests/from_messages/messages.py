"""Block Kit for requests filed from messages: the reply in the message's thread, the DM to an
author a request was filed for, and what the person reacting is told when nothing is filed."""

from __future__ import annotations

from bot.blockkit import FALLBACK_TEXT_MAX, Message, actions, button, context, section
from bot.ids import ActionId, encode_request_id
from bot.requests.rules import RequestSnapshot
from bot.text import escape, slack_date, truncate_escaped, user_mention


def build_filed_reply(request: RequestSnapshot) -> Message:
    """In the message's thread: it is a request now, and with whom."""
    text = f":inbox_tray: Filed as *{request.reference}* with {escape(request.department.name)}."
    return {"text": truncate_escaped(text, FALLBACK_TEXT_MAX), "blocks": [context(text)]}


def build_filed_for_you(request: RequestSnapshot, *, filed_by: str) -> Message:
    """To the author of a message someone filed as their request."""
    link = request.source.permalink if request.source else None
    message = f"<{link}|your message>" if link else "your message"
    text = (
        f":inbox_tray: {user_mention(filed_by)} filed *{request.reference}* "
        f"({escape(request.own_summary)}) with *{escape(request.department.name)}* for you, "
        f"from {message}. You'll get a DM when someone picks it up."
    )
    return {
        "text": truncate_escaped(text, FALLBACK_TEXT_MAX),
        "blocks": [
            section(text),
            context(f"Filed {slack_date(request.created_at)}"),
            actions(
                button(
                    "Cancel request",
                    action_id=ActionId.CANCEL,
                    value=encode_request_id(request.id),
                    style="danger",
                )
            ),
        ],
    }


NO_DEPARTMENT = (
    "I could not tell which team that message is for: it is not in a department's channel and "
    "no department's keywords are in it. Use *File a request* in the message's menu (⋯) to "
    "choose one."
)
NOT_A_PERSONS_MESSAGE = "Only a person's message can be filed as a request."
MESSAGE_GONE = "That message is gone, or I cannot read it (am I in the channel?)."
