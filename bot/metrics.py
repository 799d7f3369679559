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


def share_percent(hits: int, total: int) -> int | None:
    """100 x hits / total, as a whole percent (half up); None with nothing to count."""
    if total <= 0:
        return None
    return int(_round_half_up(100 * hits / total))


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


def nps(scores: Sequence[int]) -> int | None:
    """% promoters (9-10) minus % detractors (0-6), as a whole number; None without answers."""
    if not scores:
        return None
    promoters = sum(1 for score in scores if score >= 9)
    detractors = sum(1 for score in scores if score <= 6)
    return round_half_up(100 * (promoters - detractors) / len(scores))


def nps_counts(scores: Sequence[int]) -> tuple[int, int, int]:
    """(promoters, passives, detractors)."""
    promoters = sum(1 for score in scores if score >= 9)
    detractors = sum(1 for score in scores if score <= 6)
    return promoters, len(scores) - promoters - detractors, detractors


def round_half_up(value: float) -> int:
    """Half away from zero, so -12.5 is -13 and 12.5 is 13 (NPS can be negative)."""
    magnitude = int(Decimal(repr(abs(value))).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    return magnitude if value >= 0 else -magnitude


def per_hundred(kudos: int, handled: int) -> float | None:
    """Kudos per 100 requests handled, to one decimal; None when nothing was handled."""
    if handled == 0:
        return None
    exact = Decimal(100 * kudos) / Decimal(handled)
    return float(exact.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))
