"""What a request is as an export row: its fields, its service levels' outcome, and its answers
to its department's questions. Pure."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from bot.service_levels.rules import kept
from bot.weekly.rules import ICSQ_ROTATION, WeeklyAnswerRow, weekly_results

# Every request field an export carries, in this order; the answers follow.
COLUMNS = (
    "reference",
    "id",
    "department",
    "department_name",
    "status",
    "urgency",
    "private",
    "requester_id",
    "filed_by_id",
    "assignee_id",
    "closed_by_id",
    "text",
    "created_at",
    "first_response_at",
    "resolved_at",
    "first_response_due_at",
    "resolution_due_at",
    "first_response_sla",
    "resolution_sla",
    "waiting_since",
    "paused_seconds",
    "rating",
    "source_permalink",
    "first_response_business_seconds",
    "resolution_business_seconds",
)
# In a CSV, one column per question key (`answer:device`); answers to questions by other keys
# go into this one, as JSON.
ANSWER_PREFIX = "answer:"
OTHER_ANSWERS = "other_answers"


def iso_utc(moment: datetime | None) -> str | None:
    """ISO 8601 in UTC, to the second: 2026-11-30T09:30:00Z."""
    if moment is None:
        return None
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def sla_outcome(due: datetime | None, done_at: datetime | None, now: datetime) -> str | None:
    """met, missed, or open while it can still be met; None where nothing was promised."""
    if due is None:
        return None
    decided = kept(due, done_at, now)
    if decided is None:
        return "open"
    return "met" if decided else "missed"


def _whole(seconds: float | None) -> int | None:
    """Seconds to the second, as the times beside them."""
    return None if seconds is None else round(seconds)


@dataclass(frozen=True)
class StoredRequest:
    """One request as the store reads it for an export."""

    id: int
    department: str
    department_name: str
    status: str
    urgency: str
    private: bool
    requester_id: str
    filed_by_id: str | None
    assignee_id: str | None
    closed_by_id: str | None
    text: str
    created_at: datetime
    first_response_at: datetime | None
    resolved_at: datetime | None
    first_response_due_at: datetime | None
    resolution_due_at: datetime | None
    waiting_since: datetime | None
    paused_seconds: int
    rating: int | None
    source_permalink: str | None
    first_response_business_seconds: float | None
    resolution_business_seconds: float | None
    answers: Sequence[Mapping[str, Any]]


def export_row(request: StoredRequest, now: datetime) -> dict[str, Any]:
    """The request as an export row: its columns, and `answers` by question key."""
    # While it waits on its requester, its clock stands where the wait began.
    clock = request.waiting_since or now
    resolved = request.resolved_at if request.status == "resolved" else None
    resolution_due = None if request.status == "cancelled" else request.resolution_due_at
    row: dict[str, Any] = {
        "reference": f"REQ-{request.id}",
        "id": request.id,
        "department": request.department,
        "department_name": request.department_name,
        "status": request.status,
        "urgency": request.urgency,
        "private": request.private,
        "requester_id": request.requester_id,
        "filed_by_id": request.filed_by_id,
        "assignee_id": request.assignee_id,
        "closed_by_id": request.closed_by_id,
        "text": request.text,
        "created_at": iso_utc(request.created_at),
        "first_response_at": iso_utc(request.first_response_at),
        "resolved_at": iso_utc(resolved),
        "first_response_due_at": iso_utc(request.first_response_due_at),
        "resolution_due_at": iso_utc(request.resolution_due_at),
        "first_response_sla": sla_outcome(
            request.first_response_due_at, request.first_response_at, clock
        ),
        "resolution_sla": sla_outcome(resolution_due, resolved, clock),
        "waiting_since": iso_utc(request.waiting_since),
        "paused_seconds": request.paused_seconds,
        "rating": request.rating,
        "source_permalink": request.source_permalink,
        "first_response_business_seconds": _whole(request.first_response_business_seconds),
        "resolution_business_seconds": _whole(
            request.resolution_business_seconds if resolved is not None else None
        ),
    }
    row["answers"] = {
        str(answer["key"]): str(answer["value"])
        for answer in request.answers
        if "key" in answer and "value" in answer
    }
    return row


# A pulse export's columns: one row per department and final week, with only what the anonymity
# rule lets through (a question answered by fewer than the minimum shows no score and 0).
PULSE_COLUMNS = (
    "week",
    "department",
    "department_name",
    "pulse_score",
    "pulse_responses",
    "nps",
    "nps_responses",
    "nps_promoters",
    "nps_passives",
    "nps_detractors",
    *(f"icsq_{area.value}" for area in ICSQ_ROTATION),
    *(f"icsq_{area.value}_responses" for area in ICSQ_ROTATION),
)


def pulse_row(
    *,
    week: str,
    department: str,
    department_name: str,
    answers: Iterable[WeeklyAnswerRow],
    minimum: int,
) -> dict[str, Any]:
    """One department's week, as far as the anonymity rule allows; never its comments."""
    results = weekly_results(answers, minimum=minimum)
    row: dict[str, Any] = {
        "week": week,
        "department": department,
        "department_name": department_name,
        "pulse_score": results.pulse_score,
        "pulse_responses": results.pulse_responses,
        "nps": results.nps,
        "nps_responses": results.nps_responses,
        "nps_promoters": results.nps_promoters,
        "nps_passives": results.nps_passives,
        "nps_detractors": results.nps_detractors,
    }
    for area in ICSQ_ROTATION:
        row[f"icsq_{area.value}"] = results.icsq[area.value]
        row[f"icsq_{area.value}_responses"] = results.icsq_responses[area.value]
    return row
