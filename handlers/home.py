"""The App Home tab: published whenever it is opened, and its buttons."""

from __future__ import annotations

import re
from typing import Any

from slack_bolt import App

from bot.home.flows import Home
from bot.home.leads.messages import read_page
from bot.ids import ActionId
from bot.services import Services
from bot.slack import SlackGateway
from handlers.fields import string, team_id_of, user_of
from handlers.intake import durable, keep_nothing


def handle_app_home_opened(event: dict[str, Any], body: dict[str, Any], *, home: Home) -> None:
    user_id, team_id = event.get("user"), body.get("team_id")
    if event.get("tab") not in (None, "home") or not isinstance(user_id, str) or not user_id:
        return
    home.opened(team_id=team_id if isinstance(team_id, str) else "", user_id=user_id)


def handle_page_button(body: dict[str, Any], action: dict[str, Any], *, home: Home) -> None:
    """Another page of a lead's departments."""
    home.publish(
        team_id=team_id_of(body), user_id=user_of(body), page=read_page(string(action.get("value")))
    )


def handle_new_request_button(body: dict[str, Any], *, home: Home, gateway: SlackGateway) -> None:
    """New request on App Home: the request form."""
    trigger_id = body.get("trigger_id")
    gateway.open_view(
        trigger_id=trigger_id if isinstance(trigger_id, str) else "",
        view=home.new_request_form(team_id=team_id_of(body)),
    )


def register(app: App, services: Services) -> None:
    app.action(ActionId.HOME_NEW_REQUEST)(
        durable(
            services.intake,
            "home_new_request",
            handle_new_request_button,
            answer_with=services.gateway,
            # It only opens the form: nothing to keep.
            keep=keep_nothing,
            home=services.home,
            gateway=services.gateway,
        )
    )
    app.action(re.compile(f"^({ActionId.HOME_PAGE_PREVIOUS}|{ActionId.HOME_PAGE_NEXT})$"))(
        durable(
            services.intake,
            "home_page",
            handle_page_button,
            answer_with=services.gateway,
            # It only draws another page: nothing to keep.
            keep=keep_nothing,
            home=services.home,
        )
    )
    app.event("app_home_opened")(
        durable(
            services.intake,
            "home_opened",
            handle_app_home_opened,
            answer_with=services.gateway,
            home=services.home,
        )
    )
