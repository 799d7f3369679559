"""Slack in, Slack out: each module registers its listeners on the app."""

from __future__ import annotations

from slack_bolt import App

from bot.services.desk import RequestDesk
from bot.services.recognition import Recognition
from bot.services.satisfaction import SatisfactionService
from bot.services.weekly_pulse import WeeklyPulse
from bot.slack import SlackGateway
from handlers import actions, commands, errors, events, kudos, views, weekly
from handlers import satisfaction as satisfaction_handlers


def register_all(
    app: App,
    *,
    desk: RequestDesk,
    satisfaction: SatisfactionService,
    weekly_pulse: WeeklyPulse,
    recognition: Recognition,
    gateway: SlackGateway,
) -> None:
    errors.register(app, gateway=gateway)
    commands.register(app, desk=desk, gateway=gateway)
    actions.register(app, desk=desk, satisfaction=satisfaction, gateway=gateway)
    views.register(app, desk=desk, gateway=gateway)
    events.register(
        app, desk=desk, satisfaction=satisfaction, recognition=recognition, gateway=gateway
    )
    satisfaction_handlers.register(app, satisfaction=satisfaction, gateway=gateway)
    weekly.register(app, weekly_pulse=weekly_pulse, gateway=gateway)
    kudos.register(app, recognition=recognition, gateway=gateway)
