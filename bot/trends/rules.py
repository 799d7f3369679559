"""A department's weeks, and the departments' ICSQ areas, as figures to draw. Pure."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from bot.calendar import Week
from bot.metrics import csat_percent, median

# How many weeks a chart shows at most.
WEEKS_MAX = 52


@dataclass(frozen=True)
class WeekFigures:
    week: str
    monday: date
    requests: int
    # None: no rating, or no resolution, that week.
    csat: int | None
    median_resolution_hours: float | None


@dataclass(frozen=True)
class Trend:
    department: str
    department_name: str
    weeks: tuple[WeekFigures, ...]

    @property
    def quiet(self) -> bool:
        """Nothing happened in any of its weeks."""
        return not any(
            week.requests or week.csat is not None or week.median_resolution_hours is not None
            for week in self.weeks
        )


def last_weeks(today: date, count: int) -> list[Week]:
    """The `count` weeks ending with the one `today` is in, oldest first."""
    this = Week.of(today)
    return [Week(this.monday - timedelta(days=7 * back)) for back in range(count - 1, -1, -1)]


def week_figures(
    week: Week, *, filed: int, scores: Sequence[int], resolution_seconds: Sequence[float]
) -> WeekFigures:
    resolution = median(resolution_seconds)
    return WeekFigures(
        week=week.key,
        monday=week.monday,
        requests=filed,
        csat=csat_percent(scores),
        median_resolution_hours=None if resolution is None else round(resolution / 3600, 1),
    )


@dataclass(frozen=True)
class Heatmap:
    """Departments (rows) by ICSQ areas (columns): a score, or None where too few answered."""

    departments: tuple[str, ...]
    areas: tuple[str, ...]
    scores: tuple[tuple[float | None, ...], ...]
