"""Buttons and selects on request cards and requester messages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import App

from bot.blocks import requests as blocks
from bot.blocks.ids import ActionId
from bot.domain.lifecycle import RequestAction
from bot.services.desk import RequestDesk
from bot.services.satisfaction import SatisfactionService
from bot.slack import SlackGateway
from handlers.errors import acknowledge, guarded
from handlers.home import publish_home
from handlers.payloads import RequestButton

CARD_ACTIONS = {
    ActionId.CLAIM: RequestAction.CLAIM,
    ActionId.UNCLAIM: RequestAction.UNCLAIM,
    ActionId.RESOLVE: RequestAction.RESOLVE,
    ActionId.REASSIGN: RequestAction.REASSIGN,
}

# The requester acts from their own message, which is replaced by the outcome.
REQUESTER_ACTIONS = {
    ActionId.CANCEL: (RequestAction.CANCEL, "cancelled"),
    ActionId.REOPEN: (RequestAction.REOPEN, "reopened"),
}

Listener = Callable[..., None]


def _card_action_listener(desk: RequestDesk, request_action: RequestAction) -> Listener:
    def handle_card_action(body: dict[str, Any], action: dict[str, Any]) -> None:
        button = RequestButton.parse(body, action)
        desk.act(
            team_id=button.team_id,
            request_id=button.request_id,
            actor_id=button.user_id,
            action=request_action,
            assignee_id=button.selected_user,
        )

    return handle_card_action


def _requester_action_listener(
    desk: RequestDesk,
    satisfaction: SatisfactionService,
    gateway: SlackGateway,
    request_action: RequestAction,
    done: str,
) -> Listener:
    def handle_requester_action(body: dict[str, Any], action: dict[str, Any]) -> None:
        button = RequestButton.parse(body, action)
        request = desk.act(
            team_id=button.team_id,
            request_id=button.request_id,
            actor_id=button.user_id,
            action=request_action,
        )
        if button.response_url:
            update = blocks.build_requester_update(request, action_done=done)
            gateway.respond(button.response_url, replace_original=True, **update)
        else:
            publish_home(
                desk, satisfaction, gateway, team_id=button.team_id, user_id=button.user_id
            )

    return handle_requester_action


def register(
    app: App, *, desk: RequestDesk, satisfaction: SatisfactionService, gateway: SlackGateway
) -> None:
    guard = guarded(gateway)
    for action_id, request_action in CARD_ACTIONS.items():
        listener = guard(_card_action_listener(desk, request_action))
        app.action(action_id)(ack=acknowledge, lazy=[listener])
    for action_id, (request_action, done) in REQUESTER_ACTIONS.items():
        listener = guard(
            _requester_action_listener(desk, satisfaction, gateway, request_action, done)
        )
        app.action(action_id)(ack=acknowledge, lazy=[listener])
