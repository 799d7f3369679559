"""What the bot knows of a person, and when to ask Slack again."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

TIMEZONE_CACHE_TTL = timedelta(days=1)


@dataclass(frozen=True)
class KnownPerson:
    timezone: str | None
    timezone_fetched_at: datetime | None
    last_satisfaction_pulse_at: datetime | None
    weekly_pulse_opted_out: bool = False
    display_name: str | None = None
    is_bot: bool = False
    deactivated: bool = False

    def timezone_fresh(self, now: datetime) -> bool:
        """False when Slack should be asked again: never asked, or over a day ago."""
        fetched = self.timezone_fetched_at
        return fetched is not None and now - fetched < TIMEZONE_CACHE_TTL
