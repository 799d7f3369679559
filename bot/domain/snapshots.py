"""Plain values that carry what the Slack surfaces show, detached from the database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from bot.domain.lifecycle import RequestStatus
from bot.domain.results import DepartmentReport


class Urgency(StrEnum):
    NORMAL = "normal"
    HIGH = "high"


@dataclass(frozen=True)
class DepartmentSnapshot:
    id: int
    key: str
    name: str
    channel_id: str
    agents: tuple[str, ...]
    leads: tuple[str, ...]
    aliases: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()


@dataclass(frozen=True)
class RequestSnapshot:
    id: int
    team_id: str
    department: DepartmentSnapshot
    requester_id: str
    text: str
    urgency: Urgency
    status: RequestStatus
    assignee_id: str | None
    created_at: datetime
    resolved_at: datetime | None
    closed_by_id: str | None
    card_channel_id: str | None
    card_ts: str | None
    version: int = 1
    # The requester's current rating (1-5), None when unrated or withdrawn.
    rating: int | None = None

    @property
    def reference(self) -> str:
        return f"REQ-{self.id}"


class PulseState(StrEnum):
    SCHEDULED = "scheduled"
    # The cooldown slot is taken and the DM is being sent (or retried after a failure).
    SENDING = "sending"
    SENT = "sent"
    SKIPPED = "skipped"
    CANCELLED = "cancelled"
    FAILED = "failed"


class SkipReason(StrEnum):
    RATED = "rated"
    COOLDOWN = "cooldown"


class RatingSource(StrEnum):
    BUTTON = "button"
    REACTION = "reaction"


class SurveyMessageKind(StrEnum):
    RESOLUTION = "resolution"
    PULSE = "pulse"


@dataclass(frozen=True)
class PulseSnapshot:
    id: int
    team_id: str
    request_id: int
    requester_id: str
    state: PulseState
    resolved_at: datetime
    due_at: datetime
    sent_at: datetime | None
    closes_at: datetime
    cooldown_reserved_at: datetime | None = None

    def is_closed(self, now: datetime, request: RequestSnapshot) -> bool:
        """No more answers: cancelled, past its window, or its request was reopened since
        (a survey is about one resolution; a later one gets its own)."""
        return (
            self.state is PulseState.CANCELLED
            or now >= self.closes_at
            or request.status is not RequestStatus.RESOLVED
            or request.resolved_at != self.resolved_at
        )


@dataclass(frozen=True)
class RatingSnapshot:
    request_id: int
    requester_id: str
    score: int | None
    source: RatingSource
    reaction: str | None
    comment: str | None
    rated_at: datetime | None


@dataclass(frozen=True)
class FeedbackItem:
    """A rating and the requester's comment, as leads and admins see them."""

    request: RequestSnapshot
    score: int | None
    comment: str | None
    at: datetime


@dataclass(frozen=True)
class TeamFeedback:
    """What a lead (their departments) or an admin (every department) sees on App Home."""

    departments: list[DepartmentReport]
    recent: list[FeedbackItem]
    days: int
