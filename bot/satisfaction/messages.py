"""Block Kit for satisfaction: the pulse DM and its answered and closed forms, the recovery
offer, what leads are told, and the comment modal."""

from __future__ import annotations

import json
from collections.abc import Sequence
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
from bot.ids import ActionId, BlockId, CallbackId, encode_pulse_id, encode_request_id
from bot.requests.messages import kudos_button, own_quoted_summary, quoted_summary
from bot.requests.rules import RequestSnapshot
from bot.satisfaction.rules import RATING_MAX, RATING_MIN, RatingScale, is_low
from bot.text import escape, escape_truncate, slack_date, truncate, truncate_escaped, user_mention

SCORE_LABELS = {
    1: "very dissatisfied",
    2: "dissatisfied",
    3: "neither",
    4: "satisfied",
    5: "very satisfied",
}
COMMENT_QUOTE_MAX = 1500
# A rating this high offers a thank-you to whoever resolved the request.
KUDOS_OFFER_MIN = 4
NAMED_LEADS_MAX = 10

RATE_ACTIONS = {
    1: ActionId.RATE_1,
    2: ActionId.RATE_2,
    3: ActionId.RATE_3,
    4: ActionId.RATE_4,
    5: ActionId.RATE_5,
}


def _question(request: RequestSnapshot) -> str:
    return (
        f"How satisfied are you with how *{escape(request.department.name)}* handled "
        f"{own_quoted_summary(request)}?"
    )


def _score_button_label(score: int, scale: RatingScale) -> str:
    emoji = scale.emoji_for(score)
    return f":{emoji}: {score}" if emoji else str(score)


def rating_hint(scale: RatingScale) -> str:
    """The line under the resolution DM that says an emoji reaction rates the request."""
    low, high = scale.emoji_for(RATING_MIN), scale.emoji_for(RATING_MAX)
    if low and high:
        return f"How did it go? React to this message to rate it, from :{low}: to :{high}:."
    return "How did it go? React to this message with an emoji to rate it."


def build_pulse_question(
    request: RequestSnapshot,
    *,
    pulse_id: int,
    scale: RatingScale,
    closes_at: datetime,
    current: int | None = None,
) -> Message:
    value = encode_pulse_id(pulse_id)
    buttons = []
    for score in range(RATING_MIN, RATING_MAX + 1):
        style = "primary" if score == current else None
        buttons.append(
            button(
                _score_button_label(score, scale),
                action_id=RATE_ACTIONS[score],
                value=value,
                style=style,
            )
        )
    return {
        "text": truncate_escaped(
            f"How satisfied are you with how {escape(request.department.name)} handled "
            f"{request.reference}?",
            FALLBACK_TEXT_MAX,
        ),
        "blocks": [
            section(f":speech_balloon: {_question(request)}"),
            actions(*buttons, block_id=f"{BlockId.PULSE_RATING}:{pulse_id}"),
            context(
                f"1 = {SCORE_LABELS[1]}, 5 = {SCORE_LABELS[5]}. One tap is enough; "
                f"you can also react to this message with an emoji. "
                f"Open until {slack_date(closes_at)}."
            ),
        ],
    }


def build_pulse_answered(
    request: RequestSnapshot,
    *,
    pulse_id: int,
    score: int,
    has_comment: bool,
    kudos_to: str | None = None,
) -> Message:
    """`kudos_to` names the resolver, offered a thank-you after a 4 or 5."""
    value = encode_pulse_id(pulse_id)
    text = (
        f":pray: Thanks! You rated how *{escape(request.department.name)}* handled "
        f"{own_quoted_summary(request)}: *{score}/5* ({SCORE_LABELS[score]})."
    )
    blocks: list[Block] = [section(text)]
    if is_low(score):
        blocks.extend(_recovery_blocks(request))
    blocks.append(
        actions(
            button(
                "Edit your comment" if has_comment else "Add a comment",
                action_id=ActionId.PULSE_COMMENT,
                value=value,
            ),
            button("Change", action_id=ActionId.PULSE_CHANGE, value=value),
            *([kudos_button(request, kudos_to)] if kudos_to and score >= KUDOS_OFFER_MIN else []),
        )
    )
    return {
        "text": truncate_escaped(
            f"Thanks! You rated {request.reference} {score}/5.", FALLBACK_TEXT_MAX
        ),
        "blocks": blocks,
    }


def build_pulse_closed(request: RequestSnapshot, *, score: int | None) -> Message:
    answer = f" You rated it *{score}/5*." if score is not None else ""
    text = f"This survey about {own_quoted_summary(request)} has closed.{answer}"
    return {
        "text": truncate_escaped(
            f"This survey about {request.reference} has closed.", FALLBACK_TEXT_MAX
        ),
        "blocks": [section(truncate_escaped(text, SECTION_TEXT_MAX))],
    }


def _recovery_blocks(request: RequestSnapshot) -> list[Block]:
    value = encode_request_id(request.id)
    return [
        section(
            "Sorry it fell short. Reopen it and it goes back to the team, "
            "or ask a lead to get in touch with you."
        ),
        actions(
            button("Reopen", action_id=ActionId.REOPEN, value=value, style="primary"),
            button("Talk to a lead", action_id=ActionId.TALK_TO_LEAD, value=value),
        ),
    ]


def build_recovery_offer(request: RequestSnapshot, *, score: int) -> Message:
    """Sent after a low emoji rating, which has no message of ours to show the offer in."""
    text = f"You rated {own_quoted_summary(request)} *{score}/5*."
    return {
        "text": truncate_escaped(
            f"Sorry {request.reference} fell short: reopen it or talk to a lead.",
            FALLBACK_TEXT_MAX,
        ),
        "blocks": [section(text), *_recovery_blocks(request)],
    }


def _comment_block(comment: str | None) -> list[Block]:
    if not comment:
        return []
    quoted = escape_truncate(comment, COMMENT_QUOTE_MAX).replace("\n", "\n>")
    return [section(f">{quoted}")]


def build_lead_alert(request: RequestSnapshot, *, score: int, comment: str | None) -> Message:
    """To the department's leads when a requester rates 1 or 2."""
    handled_by = (
        f"Handled by {user_mention(request.closed_by_id)}."
        if request.closed_by_id
        else "Resolved without an assignee."
    )
    text = (
        f":rotating_light: {user_mention(request.requester_id)} rated how "
        f"*{escape(request.department.name)}* handled {quoted_summary(request)} *{score}/5*."
    )
    return {
        "text": truncate_escaped(
            f"Low rating ({score}/5) on {request.reference}", FALLBACK_TEXT_MAX
        ),
        "blocks": [
            section(text),
            *_comment_block(comment),
            context(
                f"{handled_by} They were offered to reopen it or to talk to a lead: "
                "a quick word from you can turn this around."
            ),
        ],
    }


def build_comment_forward(request: RequestSnapshot, *, score: int | None, comment: str) -> Message:
    """A requester's comment, for the department's leads."""
    rated = f" (rated {score}/5)" if score is not None else ""
    requester = user_mention(request.requester_id)
    text = f":memo: {requester} commented on {quoted_summary(request)}{rated}:"
    return {
        "text": truncate_escaped(f"New comment on {request.reference}{rated}", FALLBACK_TEXT_MAX),
        "blocks": [section(text), *_comment_block(comment)],
    }


def build_talk_to_lead(request: RequestSnapshot, *, score: int | None) -> Message:
    rated = f", which they rated *{score}/5*" if score is not None else ""
    text = (
        f":telephone_receiver: {user_mention(request.requester_id)} would like to talk to a "
        f"lead about {quoted_summary(request)}{rated}. Please get in touch with them."
    )
    return {
        "text": truncate_escaped(
            f"A requester would like to talk about {request.reference}", FALLBACK_TEXT_MAX
        ),
        "blocks": [section(text)],
    }


def build_talk_to_lead_sent(leads: Sequence[str], *, repeated: bool = False) -> Message:
    if not leads:
        text = (
            "No lead is named for this team yet, so I could not pass this on. "
            "Please reply to the person who resolved it."
        )
    else:
        names = ", ".join(user_mention(lead) for lead in leads[:NAMED_LEADS_MAX])
        if len(leads) > NAMED_LEADS_MAX:
            names += f" and {len(leads) - NAMED_LEADS_MAX} more"
        text = (
            f"I've already asked {names} to get in touch with you about this rating."
            if repeated
            else f"I've asked {names} to get in touch with you."
        )
    return {"text": truncate_escaped(text, FALLBACK_TEXT_MAX), "blocks": [section(text)]}


def build_comment_modal(
    request: RequestSnapshot, *, pulse_id: int, existing: str | None
) -> dict[str, Any]:
    element: Block = {
        "type": "plain_text_input",
        "action_id": ActionId.PULSE_COMMENT_TEXT,
        "multiline": True,
        "max_length": INPUT_MAX_LENGTH,
        "placeholder": plain("What went well, or what would have made it better?"),
    }
    if existing:
        element["initial_value"] = truncate(existing, INPUT_MAX_LENGTH)
    return {
        "type": "modal",
        "callback_id": CallbackId.PULSE_COMMENT,
        "title": plain("Add a comment"),
        "submit": plain("Send"),
        "close": plain("Cancel"),
        "private_metadata": json.dumps({"pulse": pulse_id}),
        "blocks": [
            section(truncate_escaped(f"About {own_quoted_summary(request)}.", SECTION_TEXT_MAX)),
            {
                "type": "input",
                "block_id": BlockId.PULSE_COMMENT,
                "label": plain("Your comment"),
                "element": element,
            },
            context(
                f"Only {escape(request.department.name)}'s leads and the workspace's pulsedesk "
                "admins read comments."
            ),
        ],
    }
