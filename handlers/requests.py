"""The request desk in Slack: `/request`, the card's buttons, and the requester's Cancel and
Reopen (the new-request form is handlers/forms.py)."""

from __future__ import annotations

from typing import Any

from slack_bolt import App

from bot.conversations.flows import Conversations
from bot.errors import NotAllowed
from bot.home.flows import Home
from bot.ids import ActionId
from bot.requests import messages
from bot.requests.flows.commands import answer_command
from bot.requests.flows.desk import RequestDesk
from bot.requests.privacy.messages import build_private_view
from bot.requests.rules import RequestAction
from bot.service_levels import messages as sla_messages
from bot.services import Services
from bot.slack import SlackGateway
from bot.text import escape
from handlers.intake import durable, keep_nothing
from handlers.payloads import RequestButton, SlashCommand

CARD_ACTIONS = {
    ActionId.CLAIM: RequestAction.CLAIM,
    ActionId.UNCLAIM: RequestAction.UNCLAIM,
    ActionId.RESOLVE: RequestAction.RESOLVE,
    ActionId.REASSIGN: RequestAction.REASSIGN,
    ActionId.STOP_WAITING: RequestAction.RESUME,
}

# The requester acts from their own message, which is replaced by the outcome.
REQUESTER_ACTIONS = {
    ActionId.CANCEL: (RequestAction.CANCEL, "cancelled"),
    ActionId.REOPEN: (RequestAction.REOPEN, "reopened"),
}


def handle_request_command(
    body: dict[str, Any], command: dict[str, Any], *, desk: RequestDesk, gateway: SlackGateway
) -> None:
    slash = SlashCommand.parse(command)
    answer = answer_command(
        desk,
        team_id=slash.team_id,
        user_id=slash.user_id,
        text=slash.text,
        channel_id=slash.channel_id or None,
        idempotency_key=slash.idempotency_key,
    )
    if answer.modal is not None:
        gateway.open_view(trigger_id=slash.trigger_id, view=answer.modal)
    if answer.message is not None:
        gateway.reply_privately(slash.response_url, answer.message, user_id=slash.user_id)


def handle_card_action(
    body: dict[str, Any], action: dict[str, Any], *, desk: RequestDesk, home: Home
) -> None:
    """Claim, Unclaim, Resolve or Assign on the card in the department's channel, or Claim
    on the queue in App Home, which then shows the change."""
    button = RequestButton.parse(body, action)
    desk.act(
        team_id=button.team_id,
        request_id=button.request_id,
        actor_id=button.user_id,
        action=CARD_ACTIONS[ActionId(action["action_id"])],
        assignee_id=button.selected_user,
        idempotency_key=button.idempotency_key,
    )
    if button.response_url is None:
        home.publish(team_id=button.team_id, user_id=button.user_id)


def handle_escalated_claim(
    body: dict[str, Any], action: dict[str, Any], *, desk: RequestDesk, gateway: SlackGateway
) -> None:
    """Claim from the DM that told a lead the request is overdue; the DM then says so."""
    button = RequestButton.parse(body, action)
    request = desk.act(
        team_id=button.team_id,
        request_id=button.request_id,
        actor_id=button.user_id,
        action=RequestAction.CLAIM,
        idempotency_key=button.idempotency_key,
    )
    if button.response_url:
        update = sla_messages.build_escalated_claim_update(request)
        gateway.respond(button.response_url, replace_original=True, **update)


def handle_view_private(
    body: dict[str, Any],
    action: dict[str, Any],
    *,
    desk: RequestDesk,
    conversations: Conversations,
    gateway: SlackGateway,
) -> None:
    """A private request's text, in a modal, for the department's agents only."""
    button = RequestButton.parse(body, action)
    request = desk.request(team_id=button.team_id, request_id=button.request_id)
    if not desk.is_agent(request.department, button.user_id):
        raise NotAllowed(
            f"{request.reference} is private: only {escape(request.department.name)}'s agents "
            "can see what it says."
        )
    # Opened within the trigger's 3 seconds; the requester's replies, read from Slack, follow.
    view_id = gateway.open_view(trigger_id=button.trigger_id, view=build_private_view(request))
    replies = conversations.requester_replies(request)
    if replies and view_id:
        gateway.update_view(
            view_id=view_id, view_hash=None, view=build_private_view(request, replies=replies)
        )


def handle_requester_action(
    body: dict[str, Any],
    action: dict[str, Any],
    *,
    desk: RequestDesk,
    home: Home,
    gateway: SlackGateway,
) -> None:
    """Cancel or Reopen, from the requester's own message or from App Home."""
    button = RequestButton.parse(body, action)
    request_action, done = REQUESTER_ACTIONS[ActionId(action["action_id"])]
    request = desk.act(
        team_id=button.team_id,
        request_id=button.request_id,
        actor_id=button.user_id,
        action=request_action,
        idempotency_key=button.idempotency_key,
    )
    if button.response_url:
        update = messages.build_requester_update(request, action_done=done)
        gateway.respond(button.response_url, replace_original=True, **update)
    else:
        home.publish(team_id=button.team_id, user_id=button.user_id)


def register(app: App, services: Services) -> None:
    intake, desk, gateway = services.intake, services.desk, services.gateway
    app.command("/request")(
        durable(
            intake,
            "request_command",
            handle_request_command,
            answer_with=gateway,
            # Only text can be filed: a bare /request opens the form, and keeps nothing.
            keep=lambda body: bool(str(body.get("text") or "").strip()),
            desk=desk,
            gateway=gateway,
        )
    )
    card_action = durable(
        intake,
        "request_card_action",
        handle_card_action,
        answer_with=gateway,
        desk=desk,
        home=services.home,
    )
    for action_id in CARD_ACTIONS:
        app.action(action_id)(card_action)
    app.action(ActionId.ESCALATED_CLAIM)(
        durable(
            intake,
            "request_escalated_claim",
            handle_escalated_claim,
            answer_with=gateway,
            desk=desk,
            gateway=gateway,
        )
    )
    app.action(ActionId.VIEW_PRIVATE)(
        durable(
            intake,
            "request_view_private",
            handle_view_private,
            answer_with=gateway,
            keep=keep_nothing,
            desk=desk,
            conversations=services.conversations,
            gateway=gateway,
        )
    )
    requester_action = durable(
        intake,
        "request_requester_action",
        handle_requester_action,
        answer_with=gateway,
        desk=desk,
        home=services.home,
        gateway=gateway,
    )
    for action_id in REQUESTER_ACTIONS:
        app.action(action_id)(requester_action)
