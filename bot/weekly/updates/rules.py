"""What a department shares it is doing about its weekly pulse results, and what of those
results it answers: only a figure that met the anonymity minimum is quoted."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.calendar import Week
from bot.satisfaction.rules import DEPARTMENTS_PER_PAGE
from bot.weekly.comments.rules import ShownComment
from bot.weekly.rules import WeeklyResults, asks_nps, icsq_area

SHARE_TEXT_MAX = 500
# Home's "What changed because of the pulse" lists this many at most.
CHANGES_SHOWN = 3
# Home's share buttons, one per department the viewer leads on the page Home shows.
LED_SHOWN = DEPARTMENTS_PER_PAGE
# A person's Home shows the updates of the departments they filed with in this window.
USED_WINDOW = timedelta(days=30)
# How far back the latest final week is looked for when a lead shares.
RESULTS_LOOKBACK = timedelta(days=35)
PULSE_METRIC = "pulse"
NPS_METRIC = "nps"


@dataclass(frozen=True)
class ResultQuote:
    """One released figure of a department's week: a pulse score, an ICSQ area's mean (the
    metric names the area) or an NPS, with how many answered."""

    week: str
    metric: str
    score: float
    responses: int


@dataclass(frozen=True)
class SharedUpdate:
    id: int
    department_id: int
    department_name: str
    text: str
    created_at: datetime
    result: ResultQuote | None


@dataclass(frozen=True)
class LedDepartment:
    """A department the viewer may speak for, and what it shared last."""

    department_id: int
    name: str
    latest: SharedUpdate | None


@dataclass(frozen=True)
class PulseHome:
    """Home's part of the weekly pulse: what changed, for everyone; for leads, their share
    buttons and their departments' comments (with whether each can be replied to)."""

    changes: list[SharedUpdate] = field(default_factory=list)
    led: list[LedDepartment] = field(default_factory=list)
    comments: list[tuple[ShownComment, str, bool]] = field(default_factory=list)


def quote_result(results: WeeklyResults, week: Week) -> ResultQuote | None:
    """The figure an update answers: the week's rotating question about the department (its
    ICSQ area, or NPS every fourth week), else its pulse score; None when no figure of the
    week met the anonymity minimum (WeeklyResults holds None for those)."""
    if asks_nps(week) and results.nps is not None:
        return ResultQuote(week.key, NPS_METRIC, float(results.nps), results.nps_responses)
    area = icsq_area(week).value
    score = results.icsq.get(area)
    if not asks_nps(week) and score is not None:
        return ResultQuote(week.key, area, score, results.icsq_responses.get(area, 0))
    if results.pulse_score is not None:
        return ResultQuote(week.key, PULSE_METRIC, results.pulse_score, results.pulse_responses)
    return None
