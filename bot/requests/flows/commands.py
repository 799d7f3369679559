"""`/request` in every form, answered from the request desk."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.blockkit import INPUT_MAX_LENGTH, Message, build_notice
from bot.forms import messages as form_messages
from bot.forms.rules import needs_form
from bot.requests import messages
from bot.requests.flows.desk import RequestDesk
from bot.requests.rules import (
    FilingKind,
    RoutableDepartment,
    Subcommand,
    Urgency,
    decide_filing,
    parse_command,
    route_by_keywords,
)

NO_DEPARTMENTS = "No departments are set up yet: an admin adds them to the departments file."


@dataclass(frozen=True)
class CommandAnswer:
    """What `/request` answers: a message only the person sees, or a modal to open."""

    message: Message | None = None
    modal: dict[str, Any] | None = None


def answer_command(
    desk: RequestDesk,
    *,
    team_id: str,
    user_id: str,
    text: str,
    channel_id: str | None,
    idempotency_key: str,
) -> CommandAnswer:
    """`/request` in every form: file at once when the department and the text are
    known, ask in a modal otherwise, or list, or explain."""
    departments = desk.departments(team_id=team_id)
    routable = [RoutableDepartment(d.key, d.aliases, d.keywords) for d in departments]
    command = parse_command(text, routable)
    if command.subcommand is Subcommand.HELP:
        return CommandAnswer(messages.build_help(departments))
    if command.subcommand is Subcommand.MINE:
        mine = desk.my_open_requests(team_id=team_id, user_id=user_id)
        return CommandAnswer(messages.build_my_requests(mine))
    if not departments:
        return CommandAnswer(build_notice(NO_DEPARTMENTS))
    keyword_route = None
    if command.department_key is None and command.text:
        keyword_route = route_by_keywords(command.text, routable)
    decision = decide_filing(
        command,
        keyword_route,
        modal_text_max=INPUT_MAX_LENGTH,
        needs_form=frozenset(d.key for d in departments if needs_form(d.fields)),
    )
    if decision.kind is FilingKind.ASK_FOR_KEY:
        return CommandAnswer(messages.build_ask_for_department(departments))
    if decision.kind is FilingKind.SHORTEN_FOR_FORM:
        [department] = [d for d in departments if d.key == decision.department_key]
        return CommandAnswer(messages.build_shorten_for_form(department))
    if decision.kind is FilingKind.ASK_IN_MODAL or decision.department_key is None:
        modal = form_messages.build_new_request_modal(
            departments,
            selected_key=decision.department_key,
            text=decision.text,
            origin_channel_id=channel_id,
        )
        return CommandAnswer(modal=modal)
    outcome = desk.file_request(
        team_id=team_id,
        requester_id=user_id,
        department_key=decision.department_key,
        text=decision.text,
        urgency=Urgency.NORMAL,
        idempotency_key=idempotency_key,
    )
    confirmation = messages.build_filed_confirmation(
        outcome.request, card_posted=outcome.card_posted
    )
    return CommandAnswer(confirmation)
