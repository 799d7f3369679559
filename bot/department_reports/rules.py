"""What a weekly department report says, before it is drawn. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from bot.calendar import Week
from bot.reports.rules import DepartmentReport
from bot.requests.rules import RequestSnapshot

# The oldest open requests a report lists, and the weeks its chart shows.
OLDEST_SHOWN = 3
TREND_WEEKS = 12
# The ICSQ heatmap covers the same 12 weeks.
HEATMAP_DAYS = 7 * TREND_WEEKS
REPORT_TAG = "pulsedesk_department_report"
HEATMAP_TAG = "pulsedesk_icsq_heatmap"


class ReportJob(StrEnum):
    POST = "department_report.post"
    HEATMAP = "department_report.heatmap"


class ChartKind(StrEnum):
    TREND = "trend"
    HEATMAP = "heatmap"


@dataclass(frozen=True)
class PulseWeek:
    """The weekly pulse score of the latest week whose answers are final; None where fewer
    than the anonymity minimum answered."""

    monday: date
    score: float | None
    responses: int


@dataclass(frozen=True)
class OpenRequest:
    request: RequestSnapshot
    # A link to its card; None when Slack gave none.
    link: str | None


@dataclass(frozen=True)
class WeeklyReport:
    """A department's last seven days (`last`) against the seven before (`before`), up to
    `until`, the report's moment."""

    department_name: str
    until: datetime
    last: DepartmentReport
    before: DepartmentReport
    pulse: PulseWeek | None
    pulse_before: PulseWeek | None
    open_total: int
    oldest: tuple[OpenRequest, ...]
    # How many must answer about a department before its pulse score shows.
    anonymity_minimum: int

    @property
    def quiet(self) -> bool:
        """Nothing filed, resolved or rated in the seven days, and nothing open: one line,
        not an empty chart."""
        last = self.last
        return not (last.requests or last.resolved or last.ratings or self.open_total)


def chart_name(department_key: str, week: Week) -> str:
    """Unique in the report's thread: an upload that may have landed is found by it."""
    return f"{department_key}-{week.key}-trend.png"


def heatmap_name(week: Week) -> str:
    return f"icsq-{week.key}.png"


def chart_key(kind: ChartKind, owner: str, week: Week) -> str:
    """The chart a department (its key) or an admin (their user id) got that week."""
    return f"{kind}:{owner}:{week.key}"
