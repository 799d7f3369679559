"""Block Kit for private requests: the head of their card, which says nothing of what they are
about, and the view of it only the department's agents are shown."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from bot.blockkit import (
    SECTION_TEXT_MAX,
    Block,
    button,
    context,
    fields,
    header,
    plain,
    section,
)
from bot.forms.messages import answer_fields
from bot.ids import ActionId, encode_request_id
from bot.requests.rules import RequestSnapshot
from bot.text import escape, escape_truncate, slack_date, truncate, user_mention

TITLE_MAX = 24
# The requester's latest replies a view shows, oldest first: with the request, well inside a
# modal's 100 blocks.
REPLIES_SHOWN = 20


def private_card_head(request: RequestSnapshot, *, status: str, urgency: str) -> list[Block]:
    """The reference, urgency, status and owner, and a View button for the agents."""
    department = escape(request.department.name)
    view = button("View", action_id=ActionId.VIEW_PRIVATE, value=encode_request_id(request.id))
    return [
        header(f"{request.reference} · :lock: Private request"),
        section(f"Only {department}'s agents can see what it says.", accessory=view),
        fields(f"*Status*\n{status}", f"*Urgency*\n{urgency}"),
    ]


def build_private_view(
    request: RequestSnapshot, *, replies: Sequence[tuple[datetime, str]] = ()
) -> dict[str, Any]:
    """What a private request says, and what its requester replied (`replies`: when, plain
    text), in a modal only the agent who asked sees."""
    blocks: list[Block] = [
        context(
            f":lock: Private · filed by {user_mention(request.requester_id)} "
            f"{slack_date(request.created_at)} with {escape(request.department.name)}"
        ),
        section(escape_truncate(request.text, SECTION_TEXT_MAX) or "_(no description)_"),
        *answer_fields(request.answers),
    ]
    for sent_at, text in replies[-REPLIES_SHOWN:]:
        blocks.append(context(f"{user_mention(request.requester_id)} · {slack_date(sent_at)}"))
        blocks.append(section(escape_truncate(text, SECTION_TEXT_MAX) or "_(no text)_"))
    return {
        "type": "modal",
        "title": plain(truncate(request.reference, TITLE_MAX)),
        "close": plain("Close"),
        "blocks": blocks,
    }
