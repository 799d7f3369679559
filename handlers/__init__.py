"""Slack in, Slack out: each module registers its listeners on the app."""

from __future__ import annotations

from slack_bolt import App

from bot.services.desk import RequestDesk
from bot.slack import SlackGateway
from handlers import actions, commands, errors, events, views


def register_all(app: App, *, desk: RequestDesk, gateway: SlackGateway) -> None:
    errors.register(app, gateway=gateway)
    commands.register(app, desk=desk, gateway=gateway)
    actions.register(app, desk=desk, gateway=gateway)
    views.register(app, desk=desk, gateway=gateway)
    events.register(app, desk=desk, gateway=gateway)
