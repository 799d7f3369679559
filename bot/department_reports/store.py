"""A department's week read from the database, and the charts the reports shared."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.calendar import Week
from bot.department_reports.rules import ChartKind, PulseWeek
from bot.reports.rules import DepartmentReport
from bot.reports.store import Scope, department_reports
from bot.reports.weekly.store import final_weeks
from bot.requests.departments.store import department_snapshot
from bot.requests.rules import OPEN_STATUSES, DepartmentSnapshot, RequestSnapshot
from bot.requests.store import request_snapshot
from bot.weekly.rules import RESULTS_FINAL_AFTER, results_final_at
from models import Department, Request, SharedChart

WEEK = timedelta(days=7)
# How far back the latest final week of the pulse is looked for.
PULSE_LOOKBACK = timedelta(days=35)


def department_week(
    *, session: Session, department: DepartmentSnapshot, team_id: str, until: datetime, minimum: int
) -> DepartmentReport:
    """The department's results over the seven days up to `until`, as `report` gives them."""
    return _results(session, department, team_id, until=until, days=WEEK.days, minimum=minimum)


def _results(
    session: Session,
    department: DepartmentSnapshot,
    team_id: str,
    *,
    until: datetime,
    days: int,
    minimum: int,
) -> DepartmentReport:
    """An active department is always in its own report, with zeros where nothing happened;
    the answers to its questions are not shown in the channel, so not read."""
    [found] = department_reports(
        session=session,
        now=until,
        days=days,
        anonymity_minimum=minimum,
        scope=Scope(team_id=team_id, department_ids=frozenset({department.id})),
        field_options=False,
    )
    return found


def pulse_weeks(
    *, session: Session, department: DepartmentSnapshot, team_id: str, now: datetime, minimum: int
) -> tuple[PulseWeek | None, PulseWeek | None]:
    """The pulse of the latest week whose answers are final, and of the week before it."""
    final = final_weeks(session, since=now - PULSE_LOOKBACK, now=now)
    if not final:
        return None, None
    latest = Week.parse(final[-1])
    earlier = Week(latest.monday - WEEK)
    return (
        _pulse_of(session, department, team_id, latest, minimum),
        _pulse_of(session, department, team_id, earlier, minimum),
    )


def _pulse_of(
    session: Session, department: DepartmentSnapshot, team_id: str, week: Week, minimum: int
) -> PulseWeek:
    """Over the window from the week's Monday to the moment its answers are final, the
    report's weekly results are that week's alone: no other week in it is final."""
    results = _results(
        session,
        department,
        team_id,
        until=results_final_at(week),
        days=RESULTS_FINAL_AFTER.days,
        minimum=minimum,
    ).weekly
    return PulseWeek(week.monday, results.pulse_score, results.pulse_responses)


def department(*, session: Session, department_id: int) -> DepartmentSnapshot | None:
    """The department, while it is active."""
    found = session.get(Department, department_id)
    return department_snapshot(found) if found is not None and found.active else None


def chart_recorded(*, session: Session, key: str) -> bool:
    return session.scalar(select(SharedChart.id).where(SharedChart.key == key)) is not None


def oldest_open(
    *, session: Session, department_id: int, limit: int
) -> tuple[int, list[RequestSnapshot]]:
    """How many of the department's requests are open, and the oldest of them."""
    open_here = (
        Request.department_id == department_id,
        Request.status.in_([status.value for status in OPEN_STATUSES]),
    )
    total = session.scalar(select(func.count()).select_from(Request).where(*open_here)) or 0
    rows = session.scalars(
        select(Request).where(*open_here).order_by(Request.created_at, Request.id).limit(limit)
    )
    return int(total), [request_snapshot(row) for row in rows]


def record_chart(
    *,
    session: Session,
    key: str,
    team_id: str,
    kind: ChartKind,
    week: Week,
    channel_id: str,
    message_ts: str,
    file_id: str,
    now: datetime,
    department_id: int | None = None,
    user_id: str | None = None,
) -> None:
    """Once per key: a report run again after a crash finds its chart recorded."""
    if chart_recorded(session=session, key=key):
        return
    session.add(
        SharedChart(
            key=key,
            team_id=team_id,
            kind=kind.value,
            week=week.key,
            department_id=department_id,
            user_id=user_id,
            channel_id=channel_id,
            message_ts=message_ts,
            file_id=file_id,
            created_at=now,
        )
    )


def latest_charts(*, session: Session, team_id: str, department_ids: list[int]) -> dict[int, str]:
    """The file id of each department's latest trend chart."""
    rows = session.execute(
        select(SharedChart.department_id, SharedChart.file_id)
        .where(
            SharedChart.team_id == team_id,
            SharedChart.kind == ChartKind.TREND.value,
            SharedChart.department_id.in_(department_ids),
        )
        .order_by(SharedChart.week)
    )
    return {department_id: file_id for department_id, file_id in rows if department_id}


def latest_heatmap(*, session: Session, team_id: str, user_id: str) -> str | None:
    """The file id of the latest ICSQ heatmap sent to this admin."""
    return session.scalar(
        select(SharedChart.file_id)
        .where(
            SharedChart.team_id == team_id,
            SharedChart.kind == ChartKind.HEATMAP.value,
            SharedChart.user_id == user_id,
        )
        .order_by(SharedChart.week.desc())
        .limit(1)
    )
