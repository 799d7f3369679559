"""The bot's clock in the sandbox: the machine's time moved on by what the page asked, and the
steps it moves by."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

CLOCK_STEPS = {"hour": timedelta(hours=1), "day": timedelta(days=1)}
MONDAY_TIME = (10, 0)
# Kept in the workspace's file, so that a restarted sandbox's clock is where it was left.
CLOCK_SETTING = "clock_offset_seconds"


class SandboxClock:
    """The bot's clock in the sandbox: the machine's time moved on by what the page asked."""

    def __init__(self, offset: timedelta = timedelta()) -> None:
        self._offset = offset
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return datetime.now(UTC) + self._offset

    @property
    def offset(self) -> timedelta:
        with self._lock:
            return self._offset

    def advance(self, by: timedelta) -> None:
        """Forward only: the bot's jobs and rows assume time never runs back."""
        with self._lock:
            self._offset += max(by, timedelta())

    def restart(self) -> None:
        """Back to the machine's time, for a sandbox started over."""
        with self._lock:
            self._offset = timedelta()

    def state(self) -> dict[str, Any]:
        """What the page shows of it."""
        now = self.now()
        return {
            "now": now.isoformat(),
            "label": f"{now:%a %d %b %Y, %H:%M} UTC",
            "offset_seconds": int(self.offset.total_seconds()),
        }


def next_monday(now: datetime, zone: ZoneInfo) -> datetime:
    """The next Monday 10:00 in `zone` after `now`."""
    local = now.astimezone(zone)
    days = (7 - local.weekday()) % 7
    target = (local + timedelta(days=days)).replace(
        hour=MONDAY_TIME[0], minute=MONDAY_TIME[1], second=0, microsecond=0
    )
    if target <= local:
        target += timedelta(days=7)
    return target.astimezone(UTC)


def clock_step(how: str, now: datetime, zone: ZoneInfo) -> timedelta | None:
    """How far the page's `how` (an hour, a day, next Monday in `zone`) moves the clock; None
    for anything else."""
    if how in CLOCK_STEPS:
        return CLOCK_STEPS[how]
    if how == "monday":
        return next_monday(now, zone) - now
    return None
