"""Anonymous weekly comments as a department's leads see them, and who may answer them."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from bot.weekly.rules import GENERAL_TOPIC

# The comments a lead's Home shows at most, newest weeks first.
COMMENTS_SHOWN = 5
REPLY_TEXT_MAX = 2000
# How long a reply that could not be sent at once waits before its job tries again.
REPLY_RETRY_SECONDS = 120
# The metadata event types of a reply's DM to the writer and of its confirmation to the lead.
WEEKLY_REPLY_TAG = "pulsedesk_weekly_reply"
WEEKLY_REPLY_SENT_TAG = "pulsedesk_weekly_reply_sent"


@dataclass(frozen=True)
class ShownComment:
    """A released comment of a week whose results may be shown; `reply_token` is the sealed
    writer, when they let the team reply."""

    id: str
    team_id: str
    week: str
    department_id: int | None
    text: str
    reply_token: str | None


def topic_of(department_id: int | None) -> str:
    """What a comment is about, as its reply token is bound to it."""
    return GENERAL_TOPIC if department_id is None else str(department_id)


def may_answer_for(*, leads: Collection[str], admins: Collection[str], user_id: str) -> bool:
    """A department speaks through its leads; admins may speak for any department."""
    return user_id in leads or user_id in admins
