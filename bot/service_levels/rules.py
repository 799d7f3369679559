"""Service levels: a department's promise of when a request is first answered and resolved,
counted in its working time. Pure: times come in, times go out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from bot.business_time import Calendar, WallClock, parse_duration


class SlaState(StrEnum):
    ON_TRACK = "on track"
    # Past the reminder: most of the time it was given has gone.
    DUE_SOON = "due soon"
    OVERDUE = "overdue"
    MET = "met"
    MISSED = "missed"


class Target(StrEnum):
    FIRST_RESPONSE = "first_response"
    RESOLUTION = "resolution"


class SlaJob(StrEnum):
    # A reminder in the card's thread once most of a target's time has gone.
    REMIND = "sla.remind"
    # At the target: the card shows Overdue and the department's leads are told.
    ESCALATE = "sla.escalate"


# The share of a target's working time after which its reminder goes out.
DEFAULT_REMIND_AT = 0.75


@dataclass(frozen=True)
class Targets:
    """How long, in working time, a first response and a resolution may take; None: no
    promise. Kept as written (`30m`, `2d`) and read against the department's calendar."""

    first_response: str | None = None
    resolution: str | None = None


@dataclass(frozen=True)
class ServiceLevels:
    normal: Targets = Targets()
    # What high urgency promises instead, where the file says so.
    high: Targets | None = None
    remind_at: float = DEFAULT_REMIND_AT

    @classmethod
    def from_stored(cls, stored: dict[str, Any] | None) -> ServiceLevels | None:
        """What the departments file's `sla` said, as kept in the database."""
        if not stored:
            return None
        high = stored.get("high")
        return cls(
            normal=Targets(stored.get("first_response"), stored.get("resolution")),
            high=Targets(high.get("first_response"), high.get("resolution")) if high else None,
            remind_at=float(stored.get("remind_at") or DEFAULT_REMIND_AT),
        )

    def for_urgency(self, urgency: str) -> Targets:
        return self.high if urgency == "high" and self.high is not None else self.normal


@dataclass(frozen=True)
class DueTimes:
    first_response: datetime | None
    resolution: datetime | None


def due_times(
    levels: ServiceLevels | None,
    *,
    urgency: str,
    filed_at: datetime,
    calendar: Calendar | None,
) -> DueTimes:
    """When a request filed at `filed_at` must be first answered and resolved; None where the
    department promises nothing."""
    if levels is None:
        return DueTimes(None, None)
    counted = calendar or WallClock()
    targets = levels.for_urgency(urgency)

    def due(target: str | None) -> datetime | None:
        if target is None:
            return None
        return counted.add(filed_at, parse_duration(target, counted))

    return DueTimes(due(targets.first_response), due(targets.resolution))


def reminder_time(
    *,
    filed_at: datetime,
    due: datetime,
    remind_at: float,
    calendar: Calendar | None,
    paused: timedelta = timedelta(),
) -> datetime:
    """When `remind_at` of the working time given (from filing to the due time, less what
    waited on the requester) has gone. It falls in working time, so a reminder never goes
    out while the desk is closed."""
    counted = calendar or WallClock()
    given = counted.between(filed_at, due) - paused
    share = timedelta(seconds=round(given.total_seconds() * remind_at))
    return counted.add(filed_at, share + paused)


@dataclass(frozen=True)
class Elapsed:
    """How long a request took from its filing to a moment (its first response, its
    resolution): in calendar time, and in its department's working time less the working time
    it waited on its requester."""

    seconds: float
    business_seconds: float


def elapsed(
    *,
    filed_at: datetime,
    until: datetime,
    calendar: Calendar | None,
    paused: timedelta = timedelta(),
) -> Elapsed:
    counted = calendar or WallClock()
    return Elapsed(
        seconds=(until - filed_at).total_seconds(),
        business_seconds=(counted.between(filed_at, until) - paused).total_seconds(),
    )


@dataclass(frozen=True)
class Pause:
    """What waiting on the requester from `since` to `until` did to a request's targets."""

    first_response_due: datetime | None
    resolution_due: datetime | None
    # The working time the clock stood still.
    paused: timedelta


def pause(
    *,
    since: datetime,
    until: datetime,
    first_response_due: datetime | None,
    resolution_due: datetime | None,
    calendar: Calendar | None,
) -> Pause:
    """The clock stops while a request waits on its requester: each target still running
    when the wait began moves on by the working time the wait took. One already past its due
    time stays missed."""
    counted = calendar or WallClock()
    waited = counted.between(since, until)

    def moved(due: datetime | None) -> datetime | None:
        if due is None or due <= since:
            return due
        return counted.add(until, counted.between(since, due))

    return Pause(moved(first_response_due), moved(resolution_due), waited)


def state(
    *, due: datetime, remind_from: datetime, done_at: datetime | None, now: datetime
) -> SlaState:
    """Where a target stands at `now`: met or missed once done; else overdue past its due
    time, due soon past its reminder, on track before."""
    reached = outcome(due, done_at)
    if reached is not None:
        return reached
    if now >= due:
        return SlaState.OVERDUE
    if now >= remind_from:
        return SlaState.DUE_SOON
    return SlaState.ON_TRACK


def outcome(due: datetime, done_at: datetime | None) -> SlaState | None:
    """Whether a target was met, once what it promised is done; None until then."""
    if done_at is None:
        return None
    return SlaState.MET if done_at <= due else SlaState.MISSED


def kept(due: datetime, done_at: datetime | None, now: datetime) -> bool | None:
    """For a report: True if the target was met, False if it was missed (done late, or
    not done by its due time), None while it can still be met."""
    reached = outcome(due, done_at)
    if reached is not None:
        return reached is SlaState.MET
    return False if now >= due else None
