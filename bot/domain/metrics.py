"""The scores pulsedesk reports, computed exactly as docs/metrics.md defines them.

Every function answers None when there is nothing to compute from: "no data" is not 0.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

FAVOURABLE_MIN = 4


def _round_half_up(value: float, places: int = 0) -> Decimal:
    quantum = Decimal(1).scaleb(-places)
    return Decimal(repr(value)).quantize(quantum, rounding=ROUND_HALF_UP)


def csat_percent(scores: Sequence[int]) -> int | None:
    """100 x share of 4s and 5s among answered ratings, as a whole percent."""
    if not scores:
        return None
    favourable = sum(1 for score in scores if score >= FAVOURABLE_MIN)
    return int(_round_half_up(100 * favourable / len(scores)))


def mean_rating(scores: Sequence[int]) -> float | None:
    """The mean, to one decimal."""
    if not scores:
        return None
    return float(_round_half_up(sum(scores) / len(scores), 1))


def median(values: Sequence[float]) -> float | None:
    return percentile(values, 50)


def percentile(values: Sequence[float], pct: float) -> float | None:
    """Linear interpolation between closest ranks (the common "type 7" definition)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = (len(ordered) - 1) * pct / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


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
    # The weekly pulse, anonymous: only weeks with enough answers count (see weekly.countable).
    pulse_score: float | None = None
    pulse_responses: int = 0
    nps: int | None = None
    nps_responses: int = 0
    nps_promoters: int = 0
    nps_passives: int = 0
    nps_detractors: int = 0
    icsq: dict[str, float | None] = field(default_factory=dict)
    icsq_responses: dict[str, int] = field(default_factory=dict)
