"""What a report says about one department, before it is rendered."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from bot.domain.weekly import WeeklyResults


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

    def as_json(self) -> dict[str, Any]:
        """The report's keys, flat: the weekly pulse's beside the requests' own."""
        values = asdict(self)
        weekly = values.pop("weekly")
        return {**values, **weekly}
