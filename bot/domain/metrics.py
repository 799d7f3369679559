"""The scores pulsedesk reports, computed exactly as docs/metrics.md defines them.

Every function answers None when there is nothing to compute from: "no data" is not 0.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
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
