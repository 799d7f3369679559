"""A department's weeks read from the database: requests filed, ratings given and resolutions,
each counted in the week it happened."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.calendar import Week
from bot.errors import NotFound
from bot.reports.store import build_report
from bot.trends.rules import Heatmap, Trend, week_figures
from bot.weekly.rules import ICSQ_ROTATION
from models import Department, Rating, Request


def _start(week: Week) -> datetime:
    return datetime.combine(week.monday, time(), tzinfo=UTC)


def department_trend(
    *, session: Session, department_key: str, weeks: list[Week], team_id: str | None = None
) -> Trend:
    """Per week: requests filed, CSAT of the ratings given, and the median time to resolution
    of the requests resolved. `team_id` names the workspace when several share the database
    (each may have a department of that key)."""
    workspace = [] if team_id is None else [Department.team_id == team_id]
    department = session.scalars(
        select(Department).where(
            Department.key == department_key, Department.active.is_(True), *workspace
        )
    ).first()
    if department is None:
        raise NotFound(f"There is no department '{department_key}'.")
    since, until = _start(weeks[0]), _start(weeks[-1]) + timedelta(days=7)

    def week_of(moment: datetime) -> str:
        return Week.of(moment.astimezone(UTC).date()).key

    filed: dict[str, int] = defaultdict(int)
    for (created_at,) in session.execute(
        select(Request.created_at).where(
            Request.department_id == department.id,
            Request.created_at >= since,
            Request.created_at < until,
        )
    ):
        filed[week_of(created_at)] += 1
    scores: dict[str, list[int]] = defaultdict(list)
    for rated_at, score in session.execute(
        select(Rating.rated_at, Rating.score).where(
            Rating.department_id == department.id,
            Rating.rated_at >= since,
            Rating.rated_at < until,
            Rating.score.is_not(None),
        )
    ):
        if rated_at is not None and score is not None:
            scores[week_of(rated_at)].append(score)
    resolutions: dict[str, list[float]] = defaultdict(list)
    for created_at, resolved_at in session.execute(
        select(Request.created_at, Request.resolved_at).where(
            Request.department_id == department.id,
            Request.status == "resolved",
            Request.resolved_at >= since,
            Request.resolved_at < until,
        )
    ):
        if resolved_at is not None:
            resolutions[week_of(resolved_at)].append((resolved_at - created_at).total_seconds())
    return Trend(
        department=department.key,
        department_name=department.name,
        weeks=tuple(
            week_figures(
                week,
                filed=filed[week.key],
                scores=scores[week.key],
                resolution_seconds=resolutions[week.key],
            )
            for week in weeks
        ),
    )


def icsq_heatmap(*, session: Session, now: datetime, days: int, minimum: int) -> Heatmap:
    """Every department's ICSQ areas over the last `days`, as the report gives them: a cell
    with too few answers stays empty."""
    report = build_report(session=session, now=now, days=days, anonymity_minimum=minimum)
    areas = tuple(area.value for area in ICSQ_ROTATION)
    departments = report.departments
    return Heatmap(
        departments=tuple(d.name for d in departments),
        areas=areas,
        scores=tuple(tuple(d.weekly.icsq.get(area) for area in areas) for d in departments),
    )
