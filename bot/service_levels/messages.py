"""What a card and a confirmation say of a request's service levels. Times are Slack dates:
each reader sees them in their own time zone."""

from __future__ import annotations

from datetime import datetime

from bot.requests.rules import RequestSnapshot, RequestStatus
from bot.service_levels.rules import SlaState, outcome
from bot.text import slack_date

OUTCOME_LABELS = {SlaState.MET: ":white_check_mark: met", SlaState.MISSED: ":x: missed"}


def _line(
    name: str, due: datetime | None, done_at: datetime | None, *, dropped: bool
) -> str | None:
    if due is None:
        return None
    reached = outcome(due, done_at)
    if reached is not None:
        return f"{name} {OUTCOME_LABELS[reached]} (due {slack_date(due)})"
    if dropped:
        return None
    return f"{name} due {slack_date(due)}"


def card_lines(request: RequestSnapshot) -> list[str]:
    """Each target: when it is due, or whether it was met. A cancelled request promises
    nothing more."""
    cancelled = request.status is RequestStatus.CANCELLED
    resolved_at = request.resolved_at if request.status is RequestStatus.RESOLVED else None
    lines = [
        _line(
            "First response",
            request.first_response_due_at,
            request.first_response_at,
            dropped=cancelled,
        ),
        _line("Resolution", request.resolution_due_at, resolved_at, dropped=cancelled),
    ]
    return [line for line in lines if line is not None]


def promise(request: RequestSnapshot) -> str | None:
    """What the requester is told to expect when they file."""
    if request.first_response_due_at is None:
        return None
    return f"First response due by {slack_date(request.first_response_due_at)}."
