"""Block Kit for the request desk: the card and the requester's messages (the new-request form
is bot/forms/messages.py)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from bot.blockkit import (
    FALLBACK_TEXT_MAX,
    INPUT_MAX_LENGTH,
    MESSAGE_BLOCKS_MAX,
    SECTION_TEXT_MAX,
    Block,
    actions,
    button,
    context,
    divider,
    fields,
    header,
    plain,
    section,
)
from bot.forms.messages import answer_fields
from bot.ids import ActionId, encode_card_actions_block_id, encode_request_id
from bot.requests.privacy.messages import private_card_head
from bot.requests.rules import DepartmentSnapshot, RequestSnapshot, RequestStatus, Urgency
from bot.service_levels import messages as sla_messages
from bot.text import (
    escape,
    escape_truncate,
    slack_date,
    truncate_escaped,
    user_mention,
)

Message = dict[str, Any]

MINE_LIST_MAX = 20

STATUS_LABELS = {
    RequestStatus.OPEN: ":large_green_circle: Open",
    RequestStatus.CLAIMED: ":hourglass_flowing_sand: Claimed",
    RequestStatus.WAITING: ":speech_balloon: Waiting on requester",
    RequestStatus.RESOLVED: ":white_check_mark: Resolved",
    RequestStatus.CANCELLED: ":no_entry_sign: Cancelled",
}

URGENCY_LABELS = {Urgency.NORMAL: "Normal", Urgency.HIGH: ":rotating_light: High"}


def _summary(request: RequestSnapshot) -> str:
    return request.summary


def quoted_summary(request: RequestSnapshot) -> str:
    """The request as anyone may read it named: a private one by its reference alone."""
    return f"{request.reference} ({escape(_summary(request))})"


def own_quoted_summary(request: RequestSnapshot) -> str:
    """The request as its requester reads it named, in what only they see."""
    return f"{request.reference} ({escape(request.own_summary)})"


def _status_text(request: RequestSnapshot) -> str:
    label = STATUS_LABELS[request.status]
    if request.status is RequestStatus.CLAIMED and request.assignee_id:
        return f"{label} by {user_mention(request.assignee_id)}"
    if request.status is RequestStatus.WAITING and request.assignee_id:
        return f"{label} · {user_mention(request.assignee_id)} has it"
    return label


def _card_actions(request: RequestSnapshot) -> list[Block]:
    value = encode_request_id(request.id)
    assign_select: Block = {
        "type": "users_select",
        "action_id": ActionId.REASSIGN,
        "placeholder": plain("Assign to…"),
    }
    wait = button("Wait on requester", action_id=ActionId.WAIT, value=value)
    if request.status is RequestStatus.OPEN:
        return [
            actions(
                button("Claim", action_id=ActionId.CLAIM, value=value, style="primary"),
                button("Resolve", action_id=ActionId.RESOLVE, value=value),
                wait,
                assign_select,
                block_id=encode_card_actions_block_id(request.id),
            )
        ]
    if request.status is RequestStatus.CLAIMED:
        if request.assignee_id:
            assign_select["initial_user"] = request.assignee_id
        return [
            actions(
                button("Resolve", action_id=ActionId.RESOLVE, value=value, style="primary"),
                button("Unclaim", action_id=ActionId.UNCLAIM, value=value),
                wait,
                assign_select,
                block_id=encode_card_actions_block_id(request.id),
            )
        ]
    if request.status is RequestStatus.WAITING:
        return [
            actions(
                button("Stop waiting", action_id=ActionId.STOP_WAITING, value=value),
                button("Resolve", action_id=ActionId.RESOLVE, value=value),
                block_id=encode_card_actions_block_id(request.id),
            )
        ]
    return []


def _origin(request: RequestSnapshot) -> list[Block]:
    """Where a request filed from a message came from, and who filed it for its author. A
    private card says nothing of it."""
    if request.private or (request.source is None and request.filed_by_id is None):
        return []
    parts = []
    if request.source is not None:
        link = request.source.permalink
        parts.append(f"From <{link}|a message>" if link else "From a message")
    if request.filed_by_id:
        parts.append(f"filed by {user_mention(request.filed_by_id)}")
    return [context(f":speech_balloon: {' · '.join(parts)}")]


def build_request_card(request: RequestSnapshot, *, now: datetime) -> Message:
    """The card in the department's channel, rebuilt whole on every change; its service
    levels as they stand at `now`."""
    if request.private:
        head = private_card_head(
            request, status=_status_text(request), urgency=URGENCY_LABELS[request.urgency]
        )
    else:
        head = [
            header(escape(f"{request.reference} · {_summary(request)}")),
            section(escape_truncate(request.text, SECTION_TEXT_MAX) or "_(no description)_"),
            *answer_fields(request.answers),
            fields(
                f"*Requested by*\n{user_mention(request.requester_id)}",
                f"*Status*\n{_status_text(request)}",
                f"*Urgency*\n{URGENCY_LABELS[request.urgency]}",
                f"*Filed*\n{slack_date(request.created_at)}",
            ),
        ]
    blocks: list[Block] = [*head, *_origin(request), *_card_actions(request)]
    if request.status is RequestStatus.RESOLVED and request.resolved_at:
        if request.closed_unanswered:
            blocks.append(context(f"Closed for no reply {slack_date(request.resolved_at)}"))
        else:
            closer = user_mention(request.closed_by_id) if request.closed_by_id else "an agent"
            blocks.append(context(f"Resolved by {closer} {slack_date(request.resolved_at)}"))
    elif request.status is RequestStatus.WAITING and request.waiting_since:
        waiting = slack_date(request.waiting_since)
        requester = "the requester" if request.private else user_mention(request.requester_id)
        blocks.append(context(f"Waiting on {requester} since {waiting}"))
    elif request.status is RequestStatus.CANCELLED:
        blocks.append(context("Cancelled by the requester"))
    if request.rating is not None:
        blocks.append(context(f":star: Rated *{request.rating}/5* by the requester"))
    if service_levels := sla_messages.card_lines(request, now):
        blocks.append(context(*service_levels))
    blocks.append(context(f"{escape(request.department.name)} · {request.reference}"))
    about = (
        "a private request"
        if request.private
        else f"{user_mention(request.requester_id)}: {escape(_summary(request))}"
    )
    text = truncate_escaped(
        f"{request.reference} from {about} [{request.status.value}]", FALLBACK_TEXT_MAX
    )
    return {"text": text, "blocks": blocks}


def _back_at(request: RequestSnapshot) -> str | None:
    """When a request filed outside the department's hours will be seen, or None when the
    department works now (or every minute)."""
    calendar = request.department.calendar
    if calendar is None:
        return None
    opens = calendar.next_open(request.created_at)
    if opens == request.created_at:
        return None
    local = opens.astimezone(calendar.zone)
    # Within the week the day's name says it; a long break (holidays) needs the date.
    day = f"{local:%A}" if opens - request.created_at < timedelta(days=6) else f"{local:%A %d %B}"
    return f"{escape(request.department.name)} is back {day} {local:%H:%M} ({calendar.zone.key})."


def build_filed_confirmation(request: RequestSnapshot, *, card_posted: bool) -> Message:
    text = (
        f":inbox_tray: Filed *{request.reference}* with *{escape(request.department.name)}*: "
        f"{escape(request.own_summary)}"
    )
    if card_posted:
        back = _back_at(request)
        note = " ".join(
            part
            for part in (
                f":zzz: {back}" if back else None,
                sla_messages.promise(request),
                "You'll get a DM when someone picks it up. `/request mine` lists your requests.",
            )
            if part
        )
    else:
        note = (
            f":warning: It is saved, but I could not post it in <#{request.department.channel_id}>"
            " yet, so the team may not see it. I'll keep trying for a few minutes; if it still "
            "doesn't appear, please tell a Slack admin to check that I can post there."
        )
    return {
        "text": truncate_escaped(
            f"Filed {request.reference} with {escape(request.department.name)}", FALLBACK_TEXT_MAX
        ),
        "blocks": [
            section(text),
            *answer_fields(request.answers),
            context(note),
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


def build_claimed_dm(request: RequestSnapshot) -> Message:
    assignee = user_mention(request.assignee_id) if request.assignee_id else "Someone"
    text = f"{assignee} picked up {own_quoted_summary(request)}."
    return {
        "text": truncate_escaped(text, FALLBACK_TEXT_MAX),
        "blocks": [section(f":eyes: {text}")],
    }


def build_unclaimed_dm(request: RequestSnapshot) -> Message:
    text = f"{own_quoted_summary(request)} is back in {escape(request.department.name)}'s queue."
    return {"text": truncate_escaped(text, FALLBACK_TEXT_MAX), "blocks": [section(text)]}


def build_assigned_dm(request: RequestSnapshot, *, assigned_by: str) -> Message:
    text = (
        f"{user_mention(assigned_by)} assigned you {quoted_summary(request)} "
        f"from {user_mention(request.requester_id)}."
    )
    return {
        "text": truncate_escaped(text, FALLBACK_TEXT_MAX),
        "blocks": [section(f":inbox_tray: {text}")],
    }


def kudos_button(request: RequestSnapshot, recipient_name: str) -> Block:
    """ "Send kudos to Alex", for whoever resolved the request."""
    return button(
        f"Send kudos to {recipient_name}",
        action_id=ActionId.SEND_KUDOS,
        value=encode_request_id(request.id),
    )


def build_resolved_dm(
    request: RequestSnapshot, *, rating_hint: str | None = None, kudos_to: str | None = None
) -> Message:
    """`rating_hint` invites an emoji rating: reactions to this message rate the request.
    `kudos_to` names the resolver, offered a thank-you."""
    closer = user_mention(request.closed_by_id) if request.closed_by_id else "The team"
    text = f"{closer} resolved {own_quoted_summary(request)}."
    notes = ["Not fixed after all? Reopen it and it goes back to the team."]
    if rating_hint:
        notes.insert(0, rating_hint)
    return {
        "text": truncate_escaped(text, FALLBACK_TEXT_MAX),
        "blocks": [
            section(f":white_check_mark: {text}"),
            context(*notes),
            actions(
                button("Reopen", action_id=ActionId.REOPEN, value=encode_request_id(request.id)),
                *([kudos_button(request, kudos_to)] if kudos_to else []),
            ),
        ],
    }


def build_reopened_dm(request: RequestSnapshot) -> Message:
    text = f"{user_mention(request.requester_id)} reopened {quoted_summary(request)}."
    return {
        "text": truncate_escaped(text, FALLBACK_TEXT_MAX),
        "blocks": [section(f":leftwards_arrow_with_hook: {text}")],
    }


def build_notice(text: str) -> Message:
    """A one-line answer; `text` must already be safe mrkdwn."""
    return {
        "text": truncate_escaped(text, FALLBACK_TEXT_MAX),
        "blocks": [section(truncate_escaped(text, SECTION_TEXT_MAX))],
    }


def build_my_requests(requests: Sequence[RequestSnapshot]) -> Message:
    if not requests:
        return build_notice("You have no open requests. File one with `/request <what you need>`.")
    shown = requests[:MINE_LIST_MAX]
    blocks: list[Block] = [header("Your open requests")]
    for request in shown:
        status = _status_text(request)
        line = (
            f"*{request.reference}* · {escape(request.department.name)} · {status}\n"
            f"{escape(request.own_summary)} · filed {slack_date(request.created_at)}"
        )
        blocks.append(
            section(
                line,
                accessory=button(
                    "Cancel", action_id=ActionId.CANCEL, value=encode_request_id(request.id)
                ),
            )
        )
    if len(requests) > len(shown):
        blocks.append(context(f"…and {len(requests) - len(shown)} older open requests."))
    assert len(blocks) <= MESSAGE_BLOCKS_MAX
    noun = "request" if len(requests) == 1 else "requests"
    return {"text": f"You have {len(requests)} open {noun}.", "blocks": blocks}


def build_ask_for_department(departments: Sequence[DepartmentSnapshot]) -> Message:
    keys = ", ".join(f"`{escape(d.key)}`" for d in departments) or "(none configured)"
    return build_notice(
        "I couldn't tell which department this is for, and it is too long for the form. "
        f"Please send it again as `/request <department> <text>`, with one of {keys}."
    )


def build_shorten_for_form(department: DepartmentSnapshot) -> Message:
    return build_notice(
        f"*{escape(department.name)}* asks a few questions of its own in its form, and your text "
        f"is longer than the form's description can hold ({INPUT_MAX_LENGTH:,} characters). "
        f"Please send `/request {escape(department.key)}` with a shorter description: the form "
        "opens for the rest, and nothing is filed until then."
    )


def build_help(departments: Sequence[DepartmentSnapshot]) -> Message:
    usage = (
        "*`/request <what you need>`*: file a request; I route it by its words, "
        "or ask which department.\n"
        "*`/request <department> <what you need>`*: file it with that department.\n"
        "*`/request`*: open a form.\n"
        "*`/request mine`*: your open requests.\n"
        "*`/request help`*: this message."
    )
    lines = []
    for department in departments:
        names = [department.key, *department.aliases]
        keys = ", ".join(f"`{escape(name)}`" for name in names)
        lines.append(f"• {keys}: {escape(department.name)}")
    department_text = "\n".join(lines) or "_No departments are configured yet._"
    return {
        "text": "How to use /request",
        "blocks": [
            section(usage),
            divider(),
            section(truncate_escaped("*Departments*\n" + department_text, SECTION_TEXT_MAX)),
        ],
    }


def build_cancelled_dm(request: RequestSnapshot) -> Message:
    text = f"{user_mention(request.requester_id)} cancelled {quoted_summary(request)}."
    return {
        "text": truncate_escaped(text, FALLBACK_TEXT_MAX),
        "blocks": [section(f":no_entry_sign: {text}")],
    }


def build_requester_update(request: RequestSnapshot, *, action_done: str) -> Message:
    """What replaces the requester's message after they cancel or reopen."""
    text = f"You {action_done} {own_quoted_summary(request)}."
    return build_notice(text)
