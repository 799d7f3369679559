"""Who is in the sandbox's workspace: sample people for every role, the example departments'
channels, a kudos channel, and the settings that make the bot serve them."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

TEAM_ID = "T0SANDBOX"
APP_ID = "A0SANDBOX"
BOT_USER_ID = "U0SBBOT01"
BOT_NAME = "pulsedesk"
WORKSPACE_NAME = "pulsedesk sandbox"
BOT_TOKEN_PREFIX = "xoxb-sandbox-"
GENERAL_CHANNEL = "C0SBGENERAL"
KUDOS_CHANNEL = "C0SBKUDOS01"
# Reactions the page offers on hover: the rating emoji, the kudos one and a few more.
# The sandbox's REQUEST_EMOJI, unless the settings name another.
REQUEST_EMOJI = "ticket"
REACTIONS = [
    "star-struck",
    "slightly_smiling_face",
    "neutral_face",
    "slightly_frowning_face",
    "rage",
    "clap",
    "+1",
    "eyes",
    "tada",
    REQUEST_EMOJI,
]
EXAMPLE_DEPARTMENTS = Path(__file__).resolve().parents[2] / "departments.example.toml"


@dataclass(frozen=True)
class Person:
    id: str
    name: str
    role: str
    tz: str
    title: str

    @property
    def handle(self) -> str:
        """The name Slack's `name` field and @mentions use: the first name, lower case."""
        return self.name.split()[0].lower()

    def as_slack_user(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "team_id": TEAM_ID,
            "name": self.handle,
            "real_name": self.name,
            "tz": self.tz,
            "is_bot": False,
            "deleted": False,
            "profile": {"display_name": self.name, "real_name": self.name, "title": self.title},
        }


REQUESTER = Person("U0SBMAYA01", "Maya Patel", "requester", "Europe/London", "Marketing")
AGENT = Person("U0SBOMAR01", "Omar Haddad", "agent", "Europe/Berlin", "IT Help Desk")
SECOND_AGENT = Person("U0SBJUNE01", "June Park", "agent", "America/New_York", "IT Help Desk")
LEAD = Person("U0SBPRIY01", "Priya Nair", "lead", "Europe/Berlin", "IT Help Desk lead")
ADMIN = Person("U0SBSAMA01", "Sam Okafor", "admin", "UTC", "Operations")
PEOPLE = [REQUESTER, AGENT, SECOND_AGENT, LEAD, ADMIN]


@dataclass(frozen=True)
class Channel:
    id: str
    name: str
    members: tuple[str, ...]


def _slug(name: str) -> str:
    return "-".join("".join(c if c.isalnum() else " " for c in name.lower()).split())


def departments() -> list[dict[str, Any]]:
    """The example departments, each in a sandbox channel; IT is served by the two agents and
    led by the lead, so that every role has something to do."""
    example = tomllib.loads(EXAMPLE_DEPARTMENTS.read_text(encoding="utf-8"))
    configured = []
    for index, department in enumerate(example["departments"]):
        entry = {**department, "channel": f"C0SBDEPT{index:03d}"}
        if index == 0:
            entry["agents"] = [AGENT.id, SECOND_AGENT.id]
            entry["leads"] = [LEAD.id]
        elif department.get("private"):
            # A private department names its agents: here the admin, who serves it alone.
            entry["agents"] = [ADMIN.id]
        configured.append(entry)
    return configured


def kudos_values() -> list[str]:
    example = tomllib.loads(EXAMPLE_DEPARTMENTS.read_text(encoding="utf-8"))
    return list(example.get("kudos", {}).get("values", []))


def channels() -> list[Channel]:
    everyone = tuple(person.id for person in PEOPLE)
    staff = (AGENT.id, SECOND_AGENT.id, LEAD.id, BOT_USER_ID)
    found = [Channel(GENERAL_CHANNEL, "general", everyone)]
    for department in departments():
        members = staff if department.get("leads") else (ADMIN.id, BOT_USER_ID)
        found.append(Channel(department["channel"], _slug(department["name"]), members))
    found.append(Channel(KUDOS_CHANNEL, "kudos", (*everyone, BOT_USER_ID)))
    return found


def departments_toml() -> str:
    """The departments file the sandbox's bot reads."""
    lines = ["# Written by the sandbox at each start: the example departments in its channels.", ""]
    for department in departments():
        lines.append("[[departments]]")
        for key, value in department.items():
            lines.append(f"{key} = {_toml_value(value)}")
        lines.append("")
    lines.append("[kudos]")
    lines.append(f"values = {_toml_value(kudos_values())}")
    return "\n".join(lines) + "\n"


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_toml_value(v)}" for k, v in value.items()) + " }"
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


class SampleDirectory:
    """The Directory (bot/sandbox/workspace.py) of the sample people."""

    def __init__(self) -> None:
        self._people = {person.id: person for person in PEOPLE}
        self._channels = {channel.id: channel for channel in channels()}

    def user(self, user_id: str) -> dict[str, Any]:
        person = self._people.get(user_id)
        if person is not None:
            return person.as_slack_user()
        is_bot = user_id == BOT_USER_ID
        return {
            "id": user_id,
            "team_id": TEAM_ID,
            "name": BOT_NAME if is_bot else user_id.lower(),
            "real_name": BOT_NAME if is_bot else user_id,
            "tz": "UTC",
            "is_bot": is_bot,
            "deleted": False,
            "profile": {"display_name": BOT_NAME if is_bot else user_id},
        }

    def everyone(self) -> list[dict[str, Any]]:
        return [person.as_slack_user() for person in PEOPLE] + [self.user(BOT_USER_ID)]

    def members_of(self, channel: str) -> list[str]:
        found = self._channels.get(channel)
        return list(found.members) if found else []
