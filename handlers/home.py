"""The App Home tab, published whenever it is opened."""

from __future__ import annotations

from typing import Any

from slack_bolt import App

from bot.home.flows import Home
from bot.services import Services
from handlers.intake import durable


def handle_app_home_opened(event: dict[str, Any], body: dict[str, Any], *, home: Home) -> None:
    if event.get("tab") not in (None, "home"):
        return
    home.publish(team_id=str(body.get("team_id") or ""), user_id=str(event["user"]))


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
