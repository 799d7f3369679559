"""What a report says, per department and in all, before it is rendered."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from bot.kudos.rules import Tally
from bot.requests.rules import OPEN_STATUSES
from bot.weekly.rules import WeeklyResults


@dataclass(frozen=True)
class DepartmentReport:
    """One department's results over a window; None wherever there is no data."""

    key: str
    name: str
    requests: int
    open: int
    resolved: int
    median_first_response_seconds: float | None
    median_resolution_seconds: float | None
    csat: int | None
    ratings: int
    avg_rating: float | None
    p90_first_response_seconds: float | None
    p90_resolution_seconds: float | None
    team_id: str
    # The weekly pulse, anonymous: only final weeks with enough answers count.
    weekly: WeeklyResults = field(default_factory=WeeklyResults)
    # Kudos received by its agents or given for its requests, and per 100 it resolved.
    kudos: int = 0
    kudos_per_100_handled: float | None = None
    # Service levels: the share of decided targets that were met, the open requests past a
    # target now, and the medians counted in the department's working time.
    first_response_sla_met: int | None = None
    resolution_sla_met: int | None = None
    overdue_open: int = 0
    median_first_response_business_seconds: float | None = None
    median_resolution_business_seconds: float | None = None
    # Per select question of the department's form, how many requests filed in the window
    # chose each option (bot/forms/rules.py: tally_choices).
    field_options: dict[str, dict[str, int]] = field(default_factory=dict)
    # What its leads shared they are doing about its weekly pulse, in the window, oldest
    # first: text, shared_at, shared_by, answers_week, shown_in_week.
    shared_updates: list[dict[str, Any]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        """The report's keys, flat: the weekly pulse's beside the requests' own."""
        values = asdict(self)
        weekly = values.pop("weekly")
        return {**values, **weekly}


OPEN_VALUES = frozenset(status.value for status in OPEN_STATUSES)


@dataclass(frozen=True)
class Report:
    since: datetime
    until: datetime
    days: int
    departments: list[DepartmentReport]
    weekly_pulse: dict[str, Any]
    anonymity_minimum: int

    def as_json(self) -> dict[str, Any]:
        return {
            "days": self.days,
            "since": self.since.isoformat(),
            "until": self.until.isoformat(),
            "times": "calendar",
            "anonymity_min_responses": self.anonymity_minimum,
            "departments": [department.as_json() for department in self.departments],
            "weekly_pulse": self.weekly_pulse,
        }


# `report kudos` lists this many receivers and givers.
KUDOS_TOP = 10


@dataclass(frozen=True)
class KudosReport:
    since: datetime
    until: datetime
    days: int
    tally: Tally
    # Display names as last read from Slack; None when never read.
    names: dict[str, str | None]
    departments: list[DepartmentReport]

    def _people(self, rows: list[tuple[str, int]]) -> list[dict[str, Any]]:
        return [
            {"user_id": user, "name": self.names.get(user), "kudos": count}
            for user, count in rows[:KUDOS_TOP]
        ]

    def as_json(self) -> dict[str, Any]:
        return {
            "days": self.days,
            "since": self.since.isoformat(),
            "until": self.until.isoformat(),
            "kudos": self.tally.kudos,
            "shoutouts": self.tally.shoutouts,
            "top_receivers": self._people(self.tally.receivers),
            "top_givers": self._people(self.tally.givers),
            "departments": [
                {
                    "key": d.key,
                    "name": d.name,
                    "team_id": d.team_id,
                    "kudos": d.kudos,
                    "resolved": d.resolved,
                    "kudos_per_100_handled": d.kudos_per_100_handled,
                }
                for d in self.departments
            ],
        }
