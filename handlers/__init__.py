"""Slack in, Slack out: each module registers its listeners on the app."""

from __future__ import annotations

from slack_bolt import App

from bot.services.desk import RequestDesk
from bot.services.satisfaction import SatisfactionService
from bot.services.weekly_pulse import WeeklyPulse
from bot.slack import SlackGateway
from handlers import actions, commands, errors, events, views, weekly
from handlers import satisfaction as satisfaction_handlers


def register_all(
    app: App,
    *,
    desk: RequestDesk,
    satisfaction: SatisfactionService,
    weekly_pulse: WeeklyPulse,
    gateway: SlackGateway,
) -> None:
    errors.register(app, gateway=gateway)
    commands.register(app, desk=desk, gateway=gateway)
    actions.register(app, desk=desk, satisfaction=satisfaction, gateway=gateway)
    views.register(app, desk=desk, gateway=gateway)
    events.register(app, desk=desk, satisfaction=satisfaction, gateway=gateway)
    satisfaction_handlers.register(app, satisfaction=satisfaction, gateway=gateway)
    weekly.register(app, weekly_pulse=weekly_pulse, gateway=gateway)
