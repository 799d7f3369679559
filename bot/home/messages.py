"""The App Home tab: the user's open requests and how to file one; for leads and admins,
their departments' results and recent feedback."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from bot.blockkit import (
    FIELD_TEXT_MAX,
    SECTION_TEXT_MAX,
    VIEW_BLOCKS_MAX,
    Block,
    button,
    context,
    divider,
    header,
    section,
)
from bot.home.leads.messages import lead_blocks
from bot.ids import ActionId, encode_request_id
from bot.requests.messages import STATUS_LABELS, quoted_summary
from bot.requests.rules import DepartmentSnapshot, Queue, RequestSnapshot, RequestStatus
from bot.satisfaction.rules import FEEDBACK_ITEMS_MAX, FeedbackItem, TeamFeedback
from bot.service_levels import messages as sla_messages
from bot.service_levels.rules import SlaState, Target
from bot.text import (
    escape,
    escape_truncate,
    slack_date,
    truncate_escaped,
    user_mention,
)
from bot.weekly.updates.messages import build_pulse_home
from bot.weekly.updates.rules import PulseHome

# The queues Home shows an agent, and the requests of each at most.
QUEUES_SHOWN = 3
QUEUE_SHOWN = 8
# Blocks a queue needs to say anything: its heading, a department, a request.
QUEUE_ROOM_MIN = 5
# The requester's requests resolved lately that Home shows at most; their open ones, and
# the open ones an agent holds.
RESOLVED_SHOWN = 5
OPEN_SHOWN = 10
CLAIMED_SHOWN = 8
COMMENT_PREVIEW_MAX = 500


def build_home_view(
    requests: Sequence[RequestSnapshot],
    departments: Sequence[DepartmentSnapshot],
    feedback: TeamFeedback | None = None,
    kudos_left: int | None = None,
    queues: Sequence[tuple[str, Queue]] = (),
    now: datetime | None = None,
    resolved: Sequence[RequestSnapshot] = (),
    claimed: Queue | None = None,
    charts: Mapping[str, str] | None = None,
    heatmap: str | None = None,
    pulse: PulseHome | None = None,
) -> dict[str, Any]:
    """`kudos_left`: how many more people the viewer may thank today; None when kudos are
    not set up. `queues`: the departments the viewer works for, as of `now`. `resolved`:
    the viewer's requests resolved lately; `claimed`: the open ones they hold. `charts` (by
    department key) and `heatmap`: the latest pictures the weekly report shared. `pulse`:
    the weekly pulse answered back."""
    pulse_blocks = build_pulse_home(pulse) if pulse is not None else []
    new_request = button(
        "New request", action_id=ActionId.HOME_NEW_REQUEST, value="new", style="primary"
    )
    blocks: list[Block] = [
        header("pulsedesk"),
        section(
            "File a request here, or with `/request <what you need>` from any channel. You'll "
            "hear back when someone picks it up and when it's resolved.",
            accessory=new_request,
        ),
    ]
    if kudos_left is not None:
        people = "person" if kudos_left == 1 else "people"
        blocks.append(
            context(f":clap: You can thank {kudos_left} more {people} today with `/kudos`.")
        )
    blocks += [divider(), *_open_blocks(requests, now), *_resolved_blocks(resolved)]
    if claimed is not None and claimed.requests and now is not None:
        blocks += _claimed_blocks(claimed, now)
    lead = []
    if feedback is not None:
        lead = _feedback_blocks(feedback, charts=charts or {}, heatmap=heatmap)
    if queues and now is not None:
        # What a lead's results take from Home's 100 blocks is kept for them.
        reserved = len(lead) + len(pulse_blocks) + 2
        blocks += _queue_blocks(queues, now, room=VIEW_BLOCKS_MAX - len(blocks) - reserved)
    blocks += lead
    blocks += pulse_blocks
    if departments:
        names = ", ".join(f"{d.name} ({d.key})" for d in departments)
        blocks += [divider(), context(escape_truncate(f"Departments: {names}", FIELD_TEXT_MAX))]
    assert len(blocks) <= VIEW_BLOCKS_MAX
    return {"type": "home", "blocks": blocks}


def _feedback_blocks(
    feedback: TeamFeedback, *, charts: Mapping[str, str], heatmap: str | None
) -> list[Block]:
    blocks: list[Block] = [
        divider(),
        *lead_blocks(feedback, charts=charts, heatmap=heatmap),
    ]
    blocks.append(header("Recent feedback"))
    if not feedback.recent:
        blocks.append(section("_No ratings or comments yet._"))
    blocks += [_feedback_item(item) for item in feedback.recent[:FEEDBACK_ITEMS_MAX]]
    blocks.append(context("Comments are shown only to the department's leads and admins."))
    return blocks


def _feedback_item(item: FeedbackItem) -> Block:
    """One rating or comment; of a private request, only its score: Home is seen by admins
    who are not the department's agents, and the comment went to its leads by DM."""
    score = f"*{item.score}/5*" if item.score is not None else "no rating"
    private = item.request.private
    requester = "its requester" if private else f"<@{item.request.requester_id}>"
    line = (
        f"{score} · {escape(item.request.department.name)} · {quoted_summary(item.request)} "
        f"from {requester} · {slack_date(item.at)}"
    )
    if item.comment and private:
        line += "\n_A comment, sent to the department's leads._"
    elif item.comment:
        quoted = escape_truncate(item.comment, COMMENT_PREVIEW_MAX).replace("\n", "\n>")
        line += f"\n>{quoted}"
    return section(truncate_escaped(line, SECTION_TEXT_MAX))


def _queue_blocks(queues: Sequence[tuple[str, Queue]], now: datetime, *, room: int) -> list[Block]:
    """Each served department's queue: unclaimed first with a Claim button, then the oldest;
    what goes past a target is marked. As many as Home has room for, and how many more."""
    if room < QUEUE_ROOM_MIN:
        return []
    blocks: list[Block] = [divider(), header("Your teams' queues")]
    for name, queue in queues:
        if len(blocks) + 3 > room:
            break
        blocks.append(section(f"*{escape(name)}* · {queue.total} open"))
        shown = 0
        for request in queue.requests:
            if len(blocks) + 2 > room:
                break
            blocks.append(_queue_item(request, now))
            shown += 1
        if queue.total > shown:
            blocks.append(context(f"…and {queue.total - shown} more in the department's channel."))
    return blocks


def _queue_item(request: RequestSnapshot, now: datetime) -> Block:
    states = [sla_messages.target_state(request, target, now) for target in Target]
    overdue = " · :red_circle: *Overdue*" if SlaState.OVERDUE in states else ""
    owner = f" · {user_mention(request.assignee_id)}" if request.assignee_id else ""
    line = (
        f"*{request.reference}* {escape(request.summary)}\n"
        f"{STATUS_LABELS[request.status]}{owner} · filed {slack_date(request.created_at)}{overdue}"
    )
    claim = None
    if request.status is RequestStatus.OPEN:
        claim = button(
            "Claim", action_id=ActionId.CLAIM, value=encode_request_id(request.id), style="primary"
        )
    return section(truncate_escaped(line, SECTION_TEXT_MAX), accessory=claim)


def _resolved_blocks(requests: Sequence[RequestSnapshot]) -> list[Block]:
    """The viewer's requests resolved lately: who resolved each, whether its service level was
    kept, and Reopen."""
    if not requests:
        return []
    blocks: list[Block] = [header("Recently resolved")]
    for request in requests[:RESOLVED_SHOWN]:
        resolved_at = request.resolved_at or request.created_at
        if request.closed_unanswered:
            by = "closed for no reply"
        elif request.closed_by_id:
            by = f"resolved by {user_mention(request.closed_by_id)}"
        else:
            by = "resolved"
        line = (
            f"*{request.reference}* · {escape(request.department.name)} · {by} "
            f"{slack_date(resolved_at)}\n{escape(request.own_summary)}"
        )
        kept = sla_messages.target_state(request, Target.RESOLUTION, resolved_at)
        if kept in (SlaState.MET, SlaState.MISSED):
            line += f" · resolution {sla_messages.STATE_LABELS[kept]}"
        reopen = button("Reopen", action_id=ActionId.REOPEN, value=encode_request_id(request.id))
        blocks.append(section(truncate_escaped(line, SECTION_TEXT_MAX), accessory=reopen))
    return blocks


def _open_blocks(requests: Sequence[RequestSnapshot], now: datetime | None) -> list[Block]:
    """The viewer's open requests: where each stands, who has it, how old it is and whether
    it keeps its service level."""
    if not requests:
        return [section("You have no open requests. File one with `/request <what you need>`.")]
    shown = requests[:OPEN_SHOWN]
    blocks: list[Block] = [header("Your open requests")]
    for request in shown:
        line = (
            f"*{request.reference}* · {escape(request.department.name)} · "
            f"{_status(request)}\n{escape(request.own_summary)} · filed "
            f"{slack_date(request.created_at)}{_service_level(request, now)}"
        )
        cancel = button("Cancel", action_id=ActionId.CANCEL, value=encode_request_id(request.id))
        blocks.append(section(truncate_escaped(line, SECTION_TEXT_MAX), accessory=cancel))
    if len(requests) > len(shown):
        blocks.append(context(f"…and {len(requests) - len(shown)} older ones: `/request list`."))
    return blocks


def _status(request: RequestSnapshot) -> str:
    label = STATUS_LABELS[request.status]
    if request.assignee_id:
        return f"{label} · {user_mention(request.assignee_id)} has it"
    return f"{label} · nobody has it yet"


def _service_level(request: RequestSnapshot, now: datetime | None) -> str:
    """The resolution target's state, or, before anyone answered, the first response's."""
    if now is None:
        return ""
    target = Target.FIRST_RESPONSE if request.first_response_at is None else Target.RESOLUTION
    reached = sla_messages.target_state(request, target, now)
    if reached is None:
        return ""
    paused = " (paused while they wait on you)" if request.waiting_since else ""
    name = sla_messages.TARGET_NAMES[target].lower()
    return f" · {name} {sla_messages.STATE_LABELS[reached]}{paused}"


def _claimed_blocks(claimed: Queue, now: datetime) -> list[Block]:
    """The open requests the viewer holds, oldest first, with what runs late marked."""
    shown = claimed.requests[:CLAIMED_SHOWN]
    blocks: list[Block] = [header("Claimed by you")]
    blocks += [_queue_item(request, now) for request in shown]
    if claimed.total > len(shown):
        blocks.append(context(f"…and {claimed.total - len(shown)} more."))
    return blocks
