"""The Slack app manifest a workspace admin pastes to create the app."""

from __future__ import annotations

from typing import Any

from bot.ids import CallbackId

# Where Slack sends events, commands and clicks.
EVENTS_PATH = "/slack/events"
BOT_SCOPES = [
    "commands",
    "chat:write",
    "chat:write.public",
    "im:write",
    "im:history",
    "channels:history",
    "groups:history",
    "channels:read",
    "groups:read",
    "users:read",
    "reactions:read",
    "files:write",
]
BOT_EVENTS = [
    "app_home_opened",
    "app_uninstalled",
    "tokens_revoked",
    "reaction_added",
    "reaction_removed",
    # Replies in a card's thread and in a requester's DM thread, relayed between them.
    "message.channels",
    "message.groups",
    "message.im",
]
SHORTCUTS = [
    {
        "name": "File a request",
        "type": "message",
        "callback_id": CallbackId.FILE_FROM_MESSAGE.value,
        "description": "Turn this message into a request to one of the teams",
    }
]
SLASH_COMMANDS = [
    {
        "command": "/request",
        "description": "File a request with a team, or list yours",
        "usage_hint": "[department] what you need | mine | help",
    },
    {
        "command": "/pulse",
        "description": "Your weekly pulse: status, or turn it off and on",
        "usage_hint": "[on | off]",
    },
    {
        "command": "/kudos",
        "description": "Thank colleagues in public, or see your kudos",
        "usage_hint": "@name what for #value | top | help",
    },
]


def build_manifest(*, url: str | None, socket_mode: bool = False) -> dict[str, Any]:
    """The manifest for HTTP mode at `url` (its base, e.g. https://desk.example.com)
    or, with `socket_mode`, for Socket Mode, which needs no public URL."""
    if not socket_mode and not url:
        raise ValueError("a public URL is needed unless the app uses Socket Mode")
    endpoint = f"{url.rstrip('/')}{EVENTS_PATH}" if url else None
    commands = []
    for command in SLASH_COMMANDS:
        entry = {**command, "should_escape": True}
        if endpoint and not socket_mode:
            entry["url"] = endpoint
        commands.append(entry)
    events: dict[str, Any] = {"bot_events": BOT_EVENTS}
    interactivity: dict[str, Any] = {"is_enabled": True}
    if endpoint and not socket_mode:
        events["request_url"] = endpoint
        interactivity["request_url"] = endpoint
    return {
        "_metadata": {"major_version": 1, "minor_version": 1},
        "display_information": {
            "name": "pulsedesk",
            "description": "Requests to internal teams, routed and tracked in Slack",
            "long_description": (
                "pulsedesk routes /request to the right team's channel, tracks each request "
                "from open to resolved with Claim and Resolve buttons, and keeps the person "
                "who asked informed, so requests no longer get lost in direct messages."
            ),
            "background_color": "#2c2d30",
        },
        "features": {
            "app_home": {
                "home_tab_enabled": True,
                "messages_tab_enabled": True,
                # Requesters answer the team in the DM thread of their request.
                "messages_tab_read_only_enabled": False,
            },
            "bot_user": {"display_name": "pulsedesk", "always_online": True},
            "slash_commands": commands,
            "shortcuts": SHORTCUTS,
        },
        "oauth_config": {"scopes": {"bot": BOT_SCOPES}},
        "settings": {
            "event_subscriptions": events,
            "interactivity": interactivity,
            "org_deploy_enabled": False,
            "socket_mode_enabled": socket_mode,
            "token_rotation_enabled": False,
        },
    }
