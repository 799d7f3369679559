"""Satisfaction after resolution, as rules: when a pulse may be sent, what an emoji or a
button means as a rating, and the states a pulse and a rating go through.

Pure: times come in as aware datetimes, time zones as IANA names, nothing is fetched.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from bot.calendar import WorkingHours
from bot.errors import RuleError
from bot.reactions import EMOJI_NAME, base_emoji
from bot.reports.rules import DepartmentReport
from bot.requests.rules import RequestSnapshot, RequestStatus
from bot.weekly.rules import DEFAULT_ANONYMITY_MIN_RESPONSES

RATING_MIN = 1


RATING_MAX = 5


LOW_RATING_MAX = 2


PULSE_ANSWER_WINDOW = timedelta(days=5)


DEFAULT_RATING_EMOJI = (
    "rage=1,slightly_frowning_face=2,neutral_face=3,slightly_smiling_face=4,star-struck=5,+1=5,-1=1"
)


DEFAULT_WORKING_HOURS = "mon-fri 09:00-18:00"


_DIGITS = re.compile(r"^[0-9]+$")

# The metadata event type on pulse DMs, which finds one whose posting was interrupted.
SATISFACTION_PULSE_TAG = "pulsedesk_satisfaction_pulse"


FEEDBACK_WINDOW_DAYS = 30


FEEDBACK_ITEMS_MAX = 10


# A lead's departments on App Home, a page at a time: each takes up to four blocks.
DEPARTMENTS_PER_PAGE = 4


def page_count(departments: int) -> int:
    return max(1, -(-departments // DEPARTMENTS_PER_PAGE))


class SatisfactionJob(StrEnum):
    SEND_PULSE = "satisfaction.send_pulse"
    CLOSE_PULSE = "satisfaction.close_pulse"


class PulseState(StrEnum):
    SCHEDULED = "scheduled"
    # The cooldown slot is taken and the DM is being sent (or retried after a failure).
    SENDING = "sending"
    SENT = "sent"
    SKIPPED = "skipped"
    CANCELLED = "cancelled"
    FAILED = "failed"


# Pulses that have not reached the requester yet; reopening the request cancels them.
UNSENT_STATES = (PulseState.SCHEDULED, PulseState.SENDING)


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
    # The same departments over the `days` before, to set each figure against.
    before: list[DepartmentReport] = field(default_factory=list)
    # How many must answer about a department before its pulse scores show.
    anonymity_minimum: int = DEFAULT_ANONYMITY_MIN_RESPONSES
    # `departments` is this page of the viewer's departments, of `pages`.
    page: int = 1
    pages: int = 1


@dataclass(frozen=True)
class LeadRequest:
    """Who was asked to get in touch after a low rating; `repeated` when they had been asked
    about this rating already, so nobody was asked again."""

    leads: tuple[str, ...]
    repeated: bool


@dataclass(frozen=True)
class RatingChange:
    """A rating before and after one answer; equal scores mean nothing changed."""

    request_id: int
    before: int | None
    after: int | None

    @property
    def changed(self) -> bool:
        return self.before != self.after


@dataclass(frozen=True)
class PulsePolicy:
    delay: timedelta
    cooldown: timedelta
    working_hours: WorkingHours
    scale: RatingScale
    admins: tuple[str, ...] = ()


def is_low(score: int) -> bool:
    """A rating that starts the recovery loop."""
    return score <= LOW_RATING_MAX


@dataclass(frozen=True)
class RatingScale:
    """Emoji name → rating 1-5. The first emoji listed for a score labels its button."""

    scores: Mapping[str, int]

    @classmethod
    def parse(cls, text: str) -> RatingScale:
        scores: dict[str, int] = {}
        for item in (part.strip() for part in text.split(",")):
            if not item:
                continue
            name, sep, value = item.partition("=")
            name = name.strip().strip(":").lower()
            if not sep or not EMOJI_NAME.match(name):
                raise RuleError(f"'{item}' is not emoji=score, e.g. star-struck=5")
            digits = value.strip()
            if not _DIGITS.match(digits) or not RATING_MIN <= int(digits) <= RATING_MAX:
                raise RuleError(f"'{item}': the score must be a whole number from 1 to 5")
            if name in scores:
                raise RuleError(f"'{name}' is listed twice")
            scores[name] = int(value)
        if not scores:
            raise RuleError("no emoji given; use emoji=score pairs separated by commas")
        return cls(scores)

    def score_of(self, reaction: str) -> int | None:
        """The rating a reaction stands for; skin tones count as the base emoji."""
        return self.scores.get(base_emoji(reaction))

    def emoji_for(self, score: int) -> str | None:
        return next((name for name, value in self.scores.items() if value == score), None)


class PulseDecisionKind(StrEnum):
    SEND = "send"
    WAIT = "wait"
    SKIP_RATED = "skip_rated"
    SKIP_COOLDOWN = "skip_cooldown"


@dataclass(frozen=True)
class PulseDecision:
    kind: PulseDecisionKind
    wait_until: datetime | None = None


def decide_pulse(
    *,
    now: datetime,
    rated: bool,
    last_pulse_sent_at: datetime | None,
    cooldown: timedelta,
    working_hours: WorkingHours,
    timezone: str | None,
) -> PulseDecision:
    """What to do with a due pulse: a rated request needs none; a pulse due outside the
    requester's working hours waits for the next opening; one inside the cooldown after
    their last pulse is skipped rather than queued (that would pile pulses up)."""
    if rated:
        return PulseDecision(PulseDecisionKind.SKIP_RATED)
    opening = working_hours.next_opening(now, timezone)
    if opening > now:
        return PulseDecision(PulseDecisionKind.WAIT, wait_until=opening)
    if in_cooldown(now=now, last_pulse_sent_at=last_pulse_sent_at, cooldown=cooldown):
        return PulseDecision(PulseDecisionKind.SKIP_COOLDOWN)
    return PulseDecision(PulseDecisionKind.SEND)


def in_cooldown(*, now: datetime, last_pulse_sent_at: datetime | None, cooldown: timedelta) -> bool:
    return last_pulse_sent_at is not None and now - last_pulse_sent_at < cooldown


def pulse_closes_at(sent_at: datetime) -> datetime:
    return sent_at + PULSE_ANSWER_WINDOW


def rating_counts_for_resolution(rated_at: datetime | None, resolved_at: datetime) -> bool:
    """A rating given before the latest resolution was about an earlier one (the request was
    reopened since), so the new resolution still deserves a pulse."""
    return rated_at is not None and rated_at >= resolved_at


def rated_for(pulse: PulseSnapshot, rating: RatingSnapshot | None) -> bool:
    """Whether the request has a rating given since the resolution this pulse is about."""
    rated_at = rating.rated_at if rating is not None and rating.score is not None else None
    return rating_counts_for_resolution(rated_at, pulse.resolved_at)
