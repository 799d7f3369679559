"""`/request`: file, ask in a modal, list mine, or explain."""

from __future__ import annotations

from typing import Any

from slack_bolt import App

from bot.blocks import requests as blocks
from bot.blocks.kit import INPUT_MAX_LENGTH
from bot.domain.routing import FilingKind, Subcommand, decide_filing
from bot.domain.snapshots import Urgency
from bot.services.desk import RequestDesk
from bot.slack import SlackGateway
from handlers.errors import acknowledge, guarded
from handlers.payloads import SlashCommand


def register(app: App, *, desk: RequestDesk, gateway: SlackGateway) -> None:
    @guarded(gateway)
    def handle_request_command(body: dict[str, Any], command: dict[str, Any]) -> None:
        slash = SlashCommand.parse(command)

        def _ephemeral(message: dict[str, Any]) -> None:
            gateway.respond(
                slash.response_url, response_type="ephemeral", replace_original=False, **message
            )

        route = desk.route_command(team_id=slash.team_id, text=slash.text)
        if route.command.subcommand is Subcommand.HELP:
            _ephemeral(blocks.build_help(route.departments))
            return
        if route.command.subcommand is Subcommand.MINE:
            mine = desk.my_open_requests(team_id=slash.team_id, user_id=slash.user_id)
            _ephemeral(blocks.build_my_requests(mine))
            return
        if not route.departments:
            _ephemeral(
                blocks.build_notice(
                    "No departments are set up yet: an admin adds them to the departments file."
                ),
            )
            return

        decision = decide_filing(
            route.command, route.keyword_route, modal_text_max=INPUT_MAX_LENGTH
        )
        if decision.kind is FilingKind.ASK_FOR_KEY:
            _ephemeral(blocks.build_ask_for_department(route.departments))
            return
        if decision.kind is FilingKind.ASK_IN_MODAL:
            view = blocks.build_new_request_modal(
                route.departments,
                selected_key=decision.department_key,
                text=decision.text,
                origin_channel_id=slash.channel_id or None,
            )
            gateway.open_view(trigger_id=slash.trigger_id, view=view)
            return
        assert decision.department_key is not None
        outcome = desk.file_request(
            team_id=slash.team_id,
            requester_id=slash.user_id,
            department_key=decision.department_key,
            text=decision.text,
            urgency=Urgency.NORMAL,
            idempotency_key=slash.idempotency_key,
        )
        _ephemeral(
            blocks.build_filed_confirmation(outcome.request, card_posted=outcome.card_posted),
        )

    app.command("/request")(ack=acknowledge, lazy=[handle_request_command])
