"""Slack in, Slack out: one module per feature, each registering its listeners with
`register(app, services)`."""

from __future__ import annotations

from slack_bolt import App

from bot.services import Services
from handlers import (
    conversations,
    errors,
    forms,
    home,
    kudos,
    pulse_answers,
    reactions,
    requests,
    satisfaction,
    waiting,
    weekly,
    workspace,
)

# The workspace check first: its middleware guards every listener after it.
FEATURES = (
    workspace,
    requests,
    waiting,
    forms,
    satisfaction,
    weekly,
    pulse_answers,
    kudos,
    home,
    reactions,
    conversations,
)


def register_all(app: App, services: Services) -> None:
    errors.register(app, services)
    for feature in FEATURES:
        feature.register(app, services)
