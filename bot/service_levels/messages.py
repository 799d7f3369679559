"""What a card, a confirmation, a reminder and an escalation say of a request's service levels.
Times are Slack dates: each reader sees them in their own time zone."""

from __future__ import annotations

from datetime import datetime

from bot.blockkit import Block, Message, actions, button, context, section
from bot.ids import ActionId, encode_request_id
from bot.requests.rules import RequestSnapshot, RequestStatus
from bot.service_levels.rules import (
    DEFAULT_REMIND_AT,
    SlaState,
    Target,
    reminder_time,
    state,
)
from bot.text import escape, slack_date, user_mention

STATE_LABELS = {
    SlaState.ON_TRACK: "on track",
    SlaState.DUE_SOON: ":large_orange_circle: *due soon*",
    SlaState.OVERDUE: ":red_circle: *Overdue*",
    SlaState.MET: ":white_check_mark: met",
    SlaState.MISSED: ":x: missed",
}
TARGET_NAMES = {Target.FIRST_RESPONSE: "First response", Target.RESOLUTION: "Resolution"}
# A reminder names at most this many of a department's agents; more, and it asks the channel.
AGENT_MENTIONS_MAX = 5


def due_at(request: RequestSnapshot, target: Target) -> datetime | None:
    if target is Target.FIRST_RESPONSE:
        return request.first_response_due_at
    return request.resolution_due_at


def done_at(request: RequestSnapshot, target: Target) -> datetime | None:
    if target is Target.FIRST_RESPONSE:
        return request.first_response_at
    return request.resolved_at if request.status is RequestStatus.RESOLVED else None


def remind_from(request: RequestSnapshot, target: Target) -> datetime | None:
    """When the target's reminder is due; None where the department promises nothing."""
    due = due_at(request, target)
    if due is None:
        return None
    # A department may have dropped its promise since: the request keeps the one it was given.
    levels = request.department.service_levels
    return reminder_time(
        filed_at=request.created_at,
        due=due,
        remind_at=levels.remind_at if levels is not None else DEFAULT_REMIND_AT,
        calendar=request.department.calendar,
        paused=request.sla_paused,
    )


def target_state(request: RequestSnapshot, target: Target, now: datetime) -> SlaState | None:
    """Where a target stands; None when there is none, or a cancelled request dropped it."""
    due, warn = due_at(request, target), remind_from(request, target)
    if due is None or warn is None:
        return None
    # While it waits on the requester, the clock stands where the wait began.
    at = request.waiting_since or now
    reached = state(due=due, remind_from=warn, done_at=done_at(request, target), now=at)
    if request.status is RequestStatus.CANCELLED and reached not in (SlaState.MET, SlaState.MISSED):
        return None
    return reached


def card_lines(request: RequestSnapshot, now: datetime) -> list[str]:
    """Each target with its due time and where it stands at `now`."""
    lines = []
    for target in Target:
        reached = target_state(request, target, now)
        due = due_at(request, target)
        if reached is None or due is None:
            continue
        line = f"{TARGET_NAMES[target]} {STATE_LABELS[reached]} · due {slack_date(due)}"
        if request.waiting_since is not None and reached not in (SlaState.MET, SlaState.MISSED):
            line += " · paused while waiting on the requester"
        lines.append(line)
    return lines


def promise(request: RequestSnapshot) -> str | None:
    """What the requester is told to expect when they file."""
    if request.first_response_due_at is None:
        return None
    return f"First response due by {slack_date(request.first_response_due_at)}."


def _who_is_on_it(request: RequestSnapshot) -> str:
    """The assignee; else the department's agents, or the channel when it names none."""
    if request.assignee_id:
        return user_mention(request.assignee_id)
    agents = request.department.agents
    if agents and len(agents) <= AGENT_MENTIONS_MAX:
        return " ".join(user_mention(agent) for agent in agents)
    return "<!here>"


def _what(request: RequestSnapshot, target: Target) -> str:
    noun = "first response" if target is Target.FIRST_RESPONSE else "resolution"
    return f"*{request.reference}* ({escape(request.summary)}): its {noun}"


def build_reminder(request: RequestSnapshot, target: Target) -> Message:
    """In the card's thread, once most of the target's time has gone."""
    due = due_at(request, target)
    assert due is not None
    text = (
        f":alarm_clock: {_who_is_on_it(request)} {_what(request, target)} is due {slack_date(due)}."
    )
    return {"text": text, "blocks": [section(text)]}


def build_overdue_note(request: RequestSnapshot, target: Target, *, leads_told: bool) -> Message:
    """In the card's thread, at the target."""
    due = due_at(request, target)
    assert due is not None
    text = (
        f":red_circle: {_who_is_on_it(request)} {_what(request, target)} "
        f"is overdue: it was due {slack_date(due)}."
    )
    if leads_told:
        text += " The department's leads have been told."
    return {"text": text, "blocks": [section(text)]}


def build_escalation_dm(
    request: RequestSnapshot, target: Target, *, card_link: str | None
) -> Message:
    """To each of the department's leads, once, at the target: what is late, who has it, and
    a Claim button while nobody does."""
    due = due_at(request, target)
    assert due is not None
    owner = (
        f"{user_mention(request.assignee_id)} has it"
        if request.assignee_id
        else "Nobody has claimed it"
    )
    text = (
        f":red_circle: {escape(request.department.name)}: {_what(request, target)} "
        f"is overdue: it was due {slack_date(due)}. {owner}."
    )
    filed = f"Filed by {user_mention(request.requester_id)} {slack_date(request.created_at)}"
    if card_link:
        filed += f" · <{card_link}|see the card>"
    blocks: list[Block] = [section(text), context(filed)]
    if request.status is RequestStatus.OPEN:
        claim = button(
            "Claim",
            action_id=ActionId.ESCALATED_CLAIM,
            value=encode_request_id(request.id),
            style="primary",
        )
        blocks.append(actions(claim))
    return {"text": text, "blocks": blocks}


def build_escalated_claim_update(request: RequestSnapshot) -> Message:
    """What the lead's DM becomes once they claimed from it."""
    text = f":white_check_mark: You claimed *{request.reference}* ({escape(request.summary)})."
    return {"text": text, "blocks": [section(text)]}
