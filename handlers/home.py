"""The App Home tab, published whenever it is opened."""

from __future__ import annotations

from typing import Any

from slack_bolt import App

from bot.home.flows import Home
from bot.services import Services
from handlers.intake import durable


def handle_app_home_opened(event: dict[str, Any], body: dict[str, Any], *, home: Home) -> None:
    user_id, team_id = event.get("user"), body.get("team_id")
    if event.get("tab") not in (None, "home") or not isinstance(user_id, str) or not user_id:
        return
    home.publish(team_id=team_id if isinstance(team_id, str) else "", user_id=user_id)


def register(app: App, services: Services) -> None:
    app.event("app_home_opened")(
        durable(
            services.intake,
            "home_opened",
            handle_app_home_opened,
            answer_with=services.gateway,
            home=services.home,
        )
    )
