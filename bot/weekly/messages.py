"""Block Kit for the weekly pulse: the DM with its questions, and what `/pulse` answers."""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from typing import Any

from bot.blockkit import (
    INPUT_MAX_LENGTH,
    Block,
    Message,
    actions,
    build_notice,
    button,
    context,
    header,
    option,
    plain,
    section,
)
from bot.ids import (
    ActionId,
    BlockId,
    CallbackId,
    encode_weekly_delivery,
    encode_weekly_question,
    weekly_answer_action_id,
)
from bot.text import escape, slack_date
from bot.weekly.rules import GENERAL_TOPIC, IcsqArea, Question, QuestionKind
from bot.weekly.updates.messages import shared_update_line
from bot.weekly.updates.rules import SharedUpdate

# A context element's text at most.
CONTEXT_TEXT_MAX = 2000

ANONYMITY_NOTE = (
    "Answers are anonymous: they are stored without your name and reported only as totals, "
    "and only once at least {minimum} people have answered about a team."
)


def build_pulse_status(*, opted_out: bool, next_due: datetime, minimum: int) -> Message:
    if opted_out:
        text = ":no_bell: You have turned the weekly pulse off. `/pulse on` turns it back on."
    else:
        text = (
            ":bell: You get the weekly pulse: up to three one-tap questions about the service "
            f"you got from other teams. The next one comes {slack_date(next_due)}. "
            "`/pulse off` turns it off."
        )
    return {
        "text": "Weekly pulse: off" if opted_out else "Weekly pulse: on",
        "blocks": [section(text), context(ANONYMITY_NOTE.format(minimum=minimum))],
    }


def build_pulse_help() -> Message:
    text = (
        "*`/pulse`*: whether you get the weekly pulse, and when the next one comes.\n"
        "*`/pulse off`*: stop getting it.\n"
        "*`/pulse on`*: get it again."
    )
    return {"text": "How to use /pulse", "blocks": [section(text)]}


QUESTION_TEXTS = {
    (QuestionKind.ICSQ, IcsqArea.COMMUNICATION): "How well did {team} communicate with you, "
    "and listen, this week?",
    (QuestionKind.ICSQ, IcsqArea.PRODUCTIVITY): "How good and how reliable was {team}'s work "
    "for you this week?",
    (QuestionKind.ICSQ, IcsqArea.RESPONSIVENESS): "How well did {team} respond to what you "
    "needed this week?",
}
GENERAL_TEAM = "the teams that served you"


def question_text(question: Question) -> str:
    team = f"*{escape(question.department_name)}*" if question.department_name else GENERAL_TEAM
    if question.kind is QuestionKind.PULSE:
        return f"How well did {team} serve you this week?"
    if question.kind is QuestionKind.NPS:
        return f"How likely are you to recommend {team}'s service to a colleague?"
    assert question.area is not None
    return QUESTION_TEXTS[(question.kind, question.area)].format(team=team)


def _scale_note(question: Question) -> str:
    if question.kind is QuestionKind.NPS:
        return "0 = not at all likely, 10 = extremely likely"
    return "1 = poorly, 5 = very well"


def build_weekly_pulse(
    *,
    delivery_id: int,
    questions: Sequence[Question],
    answered: Collection[int],
    closes_at: datetime,
    minimum: int,
    reminder: bool = False,
    updates: Mapping[int, SharedUpdate] | None = None,
) -> Message:
    """`updates`: by department, what it shared for this week, shown under the first question
    about it."""
    intro = (
        "A reminder, in case it slipped by: a few taps on the service you got from other "
        "teams this week."
        if reminder
        else "A few taps on the service you got from other teams this week."
    )
    blocks: list[Block] = [
        header("Your weekly pulse"),
        section(f"{intro} Each answer counts as soon as you tap it."),
    ]
    unshared = dict(updates or {})
    for index, question in enumerate(questions):
        blocks.append(section(question_text(question)))
        update = unshared.pop(question.department_id, None) if question.department_id else None
        if update is not None:
            blocks.append(context(shared_update_line(update, limit=CONTEXT_TEXT_MAX)))
        if index in answered:
            blocks.append(context(":white_check_mark: Answered, thank you."))
            continue
        value = encode_weekly_question(delivery_id, index)
        blocks.append(
            actions(
                *(
                    button(str(score), action_id=weekly_answer_action_id(score), value=value)
                    for score in question.scale
                ),
                block_id=value,
            )
        )
        blocks.append(context(_scale_note(question)))
    blocks.append(
        actions(
            button(
                "Add a comment",
                action_id=ActionId.WEEKLY_COMMENT,
                value=encode_weekly_delivery(delivery_id),
            )
        )
    )
    blocks.append(
        context(ANONYMITY_NOTE.format(minimum=minimum) + f" Open until {slack_date(closes_at)}.")
    )
    done = len(answered) >= len(questions)
    if done:
        text = "Thanks for your weekly pulse"
    elif reminder:
        text = "Reminder: your weekly pulse is waiting"
    else:
        text = "Your weekly pulse: a few taps"
    return {
        "text": text,
        "blocks": blocks,
    }


def build_weekly_closed() -> Message:
    return build_notice("This week's pulse has closed. Thank you for taking part.")


def build_weekly_comment_modal(
    *,
    delivery_id: int,
    departments: Sequence[tuple[int, str]],
    minimum: int,
    replies_offered: bool = False,
) -> dict[str, Any]:
    """A comment about one of the teams the person was asked about, or about the teams that
    served them in general."""
    options = [option(name, str(department_id)) for department_id, name in departments]
    options.append(option("The teams that served me, in general", GENERAL_TOPIC))
    return {
        "type": "modal",
        "callback_id": CallbackId.WEEKLY_COMMENT,
        "title": plain("Add a comment"),
        "submit": plain("Send"),
        "close": plain("Cancel"),
        "private_metadata": json.dumps({"delivery": delivery_id}),
        "blocks": [
            {
                "type": "input",
                "block_id": BlockId.WEEKLY_COMMENT_ABOUT,
                "label": plain("About"),
                "element": {
                    "type": "static_select",
                    "action_id": ActionId.WEEKLY_COMMENT_ABOUT,
                    "options": options,
                    "initial_option": options[0],
                },
            },
            {
                "type": "input",
                "block_id": BlockId.WEEKLY_COMMENT_TEXT,
                "label": plain("Your comment"),
                "element": {
                    "type": "plain_text_input",
                    "action_id": ActionId.WEEKLY_COMMENT_TEXT,
                    "multiline": True,
                    "max_length": INPUT_MAX_LENGTH,
                    "placeholder": plain("What went well, or what would make it better?"),
                },
            },
            *([_reply_choice()] if replies_offered else []),
            context(
                "Anonymous like your answers: stored without your name, and shown to the "
                f"team only once at least {minimum} people answered about it that week."
            ),
        ],
    }


REPLY_CHOICE = "reply"


def _reply_choice() -> Block:
    """Optional: the team's reply reaches the writer by DM without the team learning who."""
    choice = option("Let the team reply to me", REPLY_CHOICE)
    choice["description"] = plain(
        "They can answer you by DM through pulsedesk; they never see who you are."
    )
    return {
        "type": "input",
        "block_id": BlockId.WEEKLY_COMMENT_REPLY,
        "optional": True,
        "label": plain("Replies"),
        "element": {
            "type": "checkboxes",
            "action_id": ActionId.WEEKLY_COMMENT_REPLY,
            "options": [choice],
        },
    }
