"""Block Kit for shared updates: the line under a weekly pulse question, the lead's share
form, and Home's part of the weekly pulse."""

from __future__ import annotations

import json
from typing import Any

from bot.blockkit import SECTION_TEXT_MAX, Block, button, context, divider, header, plain, section
from bot.ids import ActionId, BlockId, CallbackId, encode_department_id, encode_weekly_comment
from bot.text import escape, escape_truncate, truncate_escaped
from bot.weekly.comments.rules import COMMENTS_SHOWN, ShownComment
from bot.weekly.rules import IcsqArea
from bot.weekly.updates.rules import (
    CHANGES_SHOWN,
    LED_SHOWN,
    NPS_METRIC,
    SHARE_TEXT_MAX,
    LedDepartment,
    PulseHome,
    ResultQuote,
    SharedUpdate,
)

COMMENT_PREVIEW_MAX = 400
AREA_WORDS = {
    IcsqArea.COMMUNICATION.value: "how they communicate",
    IcsqArea.PRODUCTIVITY.value: "the quality of their work",
    IcsqArea.RESPONSIVENESS.value: "how they respond",
}


def quoted_result(result: ResultQuote) -> str:
    answers = f"{result.responses} answers"
    if result.metric == NPS_METRIC:
        return f"an NPS of {result.score:+.0f} ({answers})"
    about = AREA_WORDS.get(result.metric, "their service")
    return f"{about} rated {result.score:.1f} out of 5 ({answers})"


def shared_update_line(update: SharedUpdate, *, limit: int = SECTION_TEXT_MAX) -> str:
    """ "Last time you told IT Help Desk …; they answered: …", the figure only where it was
    released; the department's words escaped."""
    team = f"*{escape(update.department_name)}*"
    told = (
        f"Last time you told {team} {quoted_result(update.result)}; they answered: "
        if update.result is not None
        else f"{team} answered your pulse: "
    )
    return truncate_escaped(f":speech_balloon: {told}“{escape(update.text)}”", limit)


def build_share_modal(
    *, department_id: int, department_name: str, result: ResultQuote | None
) -> dict[str, Any]:
    told = (
        f"Last time people told *{escape(department_name)}* {quoted_result(result)}."
        if result is not None
        else f"No figure of *{escape(department_name)}*'s last week met the anonymity minimum."
    )
    return {
        "type": "modal",
        "callback_id": CallbackId.WEEKLY_SHARE,
        "title": plain("Share what we're doing"),
        "submit": plain("Share"),
        "close": plain("Cancel"),
        "private_metadata": json.dumps({"department": department_id}),
        "blocks": [
            section(told),
            {
                "type": "input",
                "block_id": BlockId.WEEKLY_SHARE_TEXT,
                "label": plain("What you are doing about it"),
                "element": {
                    "type": "plain_text_input",
                    "action_id": ActionId.WEEKLY_SHARE_TEXT,
                    "multiline": True,
                    "max_length": SHARE_TEXT_MAX,
                    "placeholder": plain("From Monday the VPN team has an on-call agent."),
                },
            },
            context(
                "Shown once, under the question about your team in the next weekly pulse of "
                "the people who use it, and on their Home tab."
            ),
        ],
    }


def _led_block(led: LedDepartment) -> Block:
    latest = (
        f"Last shared: “{escape_truncate(led.latest.text, COMMENT_PREVIEW_MAX)}”"
        if led.latest is not None
        else "_Nothing shared yet._"
    )
    share = button(
        "Share what we're doing",
        action_id=ActionId.WEEKLY_SHARE,
        value=encode_department_id(led.department_id),
    )
    return section(
        truncate_escaped(f"*{escape(led.name)}* · {latest}", SECTION_TEXT_MAX), accessory=share
    )


def _comment_block(comment: ShownComment, department_name: str, can_reply: bool) -> Block:
    quoted = escape_truncate(comment.text, COMMENT_PREVIEW_MAX).replace("\n", "\n>")
    line = f"*{escape(department_name)}* · week of {comment.week}\n>{quoted}"
    reply = (
        button("Reply", action_id=ActionId.WEEKLY_REPLY, value=encode_weekly_comment(comment.id))
        if can_reply
        else None
    )
    return section(truncate_escaped(line, SECTION_TEXT_MAX), accessory=reply)


def build_pulse_home(pulse: PulseHome) -> list[Block]:
    """At most 2 + CHANGES_SHOWN blocks for everyone, and 3 + LED_SHOWN + COMMENTS_SHOWN more
    for a lead."""
    blocks: list[Block] = []
    if pulse.changes:
        blocks += [divider(), header("What changed because of the pulse")]
        blocks += [section(shared_update_line(u)) for u in pulse.changes[:CHANGES_SHOWN]]
    if pulse.led:
        blocks += [divider(), header("Your teams' weekly pulse")]
        blocks += [_led_block(led) for led in pulse.led[:LED_SHOWN]]
        blocks += [_comment_block(*shown) for shown in pulse.comments[:COMMENTS_SHOWN]]
        blocks.append(
            context(
                "Comments are anonymous; Reply reaches a writer who asked for replies, "
                "without telling you who it is."
            )
        )
    return blocks
