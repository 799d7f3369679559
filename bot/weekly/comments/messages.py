"""Block Kit for replies to anonymous comments: the lead's form, the writer's DM and the
lead's confirmation, which names no one."""

from __future__ import annotations

import json
from typing import Any

from bot.blockkit import Message, build_notice, context, plain, section
from bot.calendar import Week
from bot.ids import ActionId, BlockId, CallbackId
from bot.text import escape, escape_truncate
from bot.weekly.comments.rules import REPLY_TEXT_MAX, ShownComment

QUOTE_MAX = 1000


def _quote(text: str) -> str:
    return ">" + escape_truncate(text, QUOTE_MAX).replace("\n", "\n>")


def build_reply_modal(*, comment: ShownComment, department_name: str) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": CallbackId.WEEKLY_REPLY,
        "title": plain("Reply to a comment"),
        "submit": plain("Send reply"),
        "close": plain("Cancel"),
        "private_metadata": json.dumps({"comment": comment.id}),
        "blocks": [
            section(_quote(comment.text)),
            {
                "type": "input",
                "block_id": BlockId.WEEKLY_REPLY_TEXT,
                "label": plain(f"Reply as {department_name}", 2000),
                "element": {
                    "type": "plain_text_input",
                    "action_id": ActionId.WEEKLY_REPLY_TEXT,
                    "multiline": True,
                    "max_length": REPLY_TEXT_MAX,
                },
            },
            context(
                "It goes by DM to whoever wrote the comment. You are not told who that is, "
                "and they see it as the team's reply."
            ),
        ],
    }


def build_reply_dm(
    *, department_name: str, week: str, comment_text: str, reply_text: str
) -> Message:
    monday = Week.parse(week).monday
    intro = (
        f"*{escape(department_name)}* replied to your anonymous comment from the week of "
        f"{monday:%d %B %Y}:"
    )
    return {
        "text": f"{escape(department_name)} replied to your anonymous comment",
        "blocks": [
            section(f"{intro}\n{_quote(comment_text)}"),
            section(escape_truncate(reply_text, REPLY_TEXT_MAX + 500)),
            context("They do not know who you are: the reply came to you through pulsedesk."),
        ],
    }


def build_reply_delivered(*, department_name: str) -> Message:
    return build_notice(
        f":white_check_mark: Your reply as *{escape(department_name)}* was delivered to the "
        "comment's writer."
    )
