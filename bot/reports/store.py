"""Per-department results over a window, read from the database: volumes, response and
resolution times, CSAT, the weekly pulse within the anonymity rules, and kudos.

Definitions are those of docs/metrics.md; a value with no data behind it is None, never 0.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import String, and_, case, cast, func, null, or_, select
from sqlalchemy.orm import Session

from bot.forms.rules import Answer, FieldDefinition, tally_choices
from bot.kudos import store as kudos_store
from bot.metrics import (
    csat_percent,
    mean_rating,
    median,
    per_hundred,
    percentile,
    share_percent,
)
from bot.reports.rules import KUDOS_TOP, OPEN_VALUES, DepartmentReport, KudosReport, Report
from bot.reports.weekly import store as weekly_report
from bot.requests.rules import RequestStatus
from bot.weekly.rules import DEFAULT_ANONYMITY_MIN_RESPONSES, WeeklyResults
from bot.weekly.updates import store as updates_store
from models import Department, Person, Rating, Request


def _seconds(value: float | None) -> float | None:
    """Durations to a tenth of a second: finer is noise, and floats print long tails."""
    return None if value is None else round(value, 1)


@dataclass(frozen=True)
class Scope:
    """What a report covers: every workspace (the command line), one workspace, or some of its
    departments (a lead's Home tab). It reads only those rows, however many others there are."""

    team_id: str | None = None
    department_ids: frozenset[int] | None = None

    def departments(self, column: Any) -> list[Any]:
        return [] if self.department_ids is None else [column.in_(sorted(self.department_ids))]

    def team(self, column: Any) -> list[Any]:
        return [] if self.team_id is None else [column == self.team_id]


EVERYWHERE = Scope()
RESOLVED = RequestStatus.RESOLVED.value


def build_report(
    *,
    session: Session,
    now: datetime,
    days: int,
    anonymity_minimum: int = DEFAULT_ANONYMITY_MIN_RESPONSES,
    scope: Scope = EVERYWHERE,
) -> Report:
    return Report(
        since=now - timedelta(days=days),
        until=now,
        days=days,
        departments=department_reports(
            session=session, now=now, days=days, anonymity_minimum=anonymity_minimum, scope=scope
        ),
        weekly_pulse=weekly_report.last_round(session, now=now, team_id=scope.team_id),
        anonymity_minimum=anonymity_minimum,
    )


def department_reports(
    *,
    session: Session,
    now: datetime,
    days: int,
    anonymity_minimum: int = DEFAULT_ANONYMITY_MIN_RESPONSES,
    scope: Scope = EVERYWHERE,
    field_options: bool = True,
) -> list[DepartmentReport]:
    """Each department's results over the last `days`. Without `field_options` the answers to
    the departments' questions are neither read nor counted: App Home does not show them, and
    decoding them is a good part of a report's work at a large company."""
    since = now - timedelta(days=days)
    filed_in_window = (
        Request.created_at >= since,
        Request.created_at <= now,
        *scope.team(Request.team_id),
        *scope.departments(Request.department_id),
    )
    filed: dict[int, _Filed] = defaultdict(_Filed)
    rows = session.execute(
        select(
            Request.department_id,
            Request.status,
            Request.first_response_seconds,
            Request.first_response_business_seconds,
            Request.resolution_seconds,
            Request.resolution_business_seconds,
            *targets_kept(now),
        ).where(*filed_in_window)
    )
    for department_id, *row in rows:
        filed[department_id].add(*row)
    answered: dict[int, list[list[Answer]]] = defaultdict(list)
    if field_options:
        # Only requests that answered questions: decoding every request's JSON was most of
        # a large report's work.
        for department_id, stored in session.execute(
            select(Request.department_id, Request.answers).where(
                *filed_in_window,
                Request.answers.is_not(None),
                cast(Request.answers, String).not_in(["null", "[]"]),
            )
        ):
            answered[department_id].append([Answer.from_stored(a) for a in stored or ()])
    overdue = _overdue_open(session, now=now, scope=scope)

    scores: dict[int, list[int]] = defaultdict(list)
    rated = session.execute(
        select(Rating.department_id, Rating.score).where(
            Rating.score.is_not(None),
            Rating.rated_at >= since,
            Rating.rated_at <= now,
            # Departments named belong to one workspace: the scores are read from an index.
            *(scope.departments(Rating.department_id) or scope.team(Rating.team_id)),
        )
    )
    for department_id, score in rated:
        if score is not None:
            scores[department_id].append(score)

    pulse = weekly_report.department_results(
        session,
        since=since,
        now=now,
        minimum=anonymity_minimum,
        team_id=scope.team_id,
        department_ids=scope.department_ids,
    )
    window: dict[str, Any] = {"since": since, "until": now, "team_id": scope.team_id}
    received = kudos_store.department_kudos(session=session, **window)
    handled = kudos_store.handled_requests(
        session=session, department_ids=scope.department_ids, **window
    )
    shared = updates_store.shared_updates(session=session, **window)
    departments = session.scalars(
        select(Department)
        .where(*scope.team(Department.team_id), *scope.departments(Department.id))
        .order_by(Department.team_id, Department.name)
    )
    reports = []
    for department in departments:
        if not department.active and not (
            department.id in filed
            or department.id in scores
            or department.id in pulse
            or department.id in received
        ):
            continue
        department_scores = scores[department.id]
        results = pulse.get(department.id, WeeklyResults())
        reports.append(
            DepartmentReport(
                key=department.key,
                name=department.name,
                **filed[department.id].figures(),
                csat=csat_percent(department_scores),
                ratings=len(department_scores),
                avg_rating=mean_rating(department_scores),
                team_id=department.team_id,
                weekly=results,
                kudos=received.get(department.id, 0),
                kudos_per_100_handled=per_hundred(
                    received.get(department.id, 0), handled.get(department.id, 0)
                ),
                overdue_open=overdue.get(department.id, 0),
                field_options={}
                if not field_options
                else tally_choices(
                    [FieldDefinition.from_stored(f) for f in department.fields or ()],
                    answered[department.id],
                ),
                shared_updates=shared.get(department.id, []),
            )
        )
    return reports


def targets_kept(now: datetime) -> tuple[Any, Any]:
    """Whether each request met its first response and resolution targets, as `kept` says:
    1 met, 0 missed, NULL while it can still be met or where nothing was promised. Worked out
    by the database, so a report reads no moments for it."""
    # While a request waits on its requester, its clock stands where the wait began.
    clock = case((Request.waiting_since.is_not(None), Request.waiting_since), else_=now)
    resolved_at = case((Request.status == RequestStatus.RESOLVED.value, Request.resolved_at))
    # A cancelled request promises no resolution any more.
    resolution_due = case(
        (Request.status == RequestStatus.CANCELLED.value, null()), else_=Request.resolution_due_at
    )
    return (
        _kept(Request.first_response_due_at, Request.first_response_at, clock),
        _kept(resolution_due, resolved_at, clock),
    )


def _kept(due: Any, done_at: Any, clock: Any) -> Any:
    return case(
        (due.is_(None), null()),
        (done_at.is_(None), case((clock >= due, 0), else_=null())),
        (done_at <= due, 1),
        else_=0,
    )


@dataclass
class _Filed:
    """One department's requests filed in a window: how many, how long they took, and the
    targets they met."""

    requests: int = 0
    open: int = 0
    resolved: int = 0
    first_responses: list[float] = field(default_factory=list)
    first_responses_business: list[float] = field(default_factory=list)
    resolutions: list[float] = field(default_factory=list)
    resolutions_business: list[float] = field(default_factory=list)
    first_response_kept: tuple[int, int] = (0, 0)
    resolution_kept: tuple[int, int] = (0, 0)

    def add(
        self,
        status: str,
        first_response: float | None,
        first_response_business: float | None,
        resolution: float | None,
        resolution_business: float | None,
        first_response_kept: int | None,
        resolution_kept: int | None,
    ) -> None:
        self.requests += 1
        if status in OPEN_VALUES:
            self.open += 1
        if first_response is not None and first_response_business is not None:
            self.first_responses.append(first_response)
            self.first_responses_business.append(first_response_business)
        if status == RESOLVED:
            self.resolved += 1
            if resolution is not None and resolution_business is not None:
                self.resolutions.append(resolution)
                self.resolutions_business.append(resolution_business)
        self.first_response_kept = _count(self.first_response_kept, first_response_kept)
        self.resolution_kept = _count(self.resolution_kept, resolution_kept)

    def figures(self) -> dict[str, Any]:
        return {
            "requests": self.requests,
            "open": self.open,
            "resolved": self.resolved,
            "median_first_response_seconds": _seconds(median(self.first_responses)),
            "median_resolution_seconds": _seconds(median(self.resolutions)),
            "p90_first_response_seconds": _seconds(percentile(self.first_responses, 90)),
            "p90_resolution_seconds": _seconds(percentile(self.resolutions, 90)),
            "first_response_sla_met": share_percent(*self.first_response_kept),
            "resolution_sla_met": share_percent(*self.resolution_kept),
            "median_first_response_business_seconds": _seconds(
                median(self.first_responses_business)
            ),
            "median_resolution_business_seconds": _seconds(median(self.resolutions_business)),
        }


def _count(tally: tuple[int, int], kept: int | None) -> tuple[int, int]:
    """(met, decided): a target that can still be met is not counted yet."""
    if kept is None:
        return tally
    return tally[0] + kept, tally[1] + 1


def _overdue_open(session: Session, *, now: datetime, scope: Scope) -> dict[int, int]:
    """Open requests past a target now, whenever they were filed: the backlog to chase."""
    # A request waiting on its requester is overdue only if it was when the wait began.
    clock = case((Request.status == RequestStatus.WAITING.value, Request.waiting_since), else_=now)
    overdue = or_(
        and_(Request.first_response_at.is_(None), Request.first_response_due_at <= clock),
        Request.resolution_due_at <= clock,
    )
    rows = session.execute(
        select(Request.department_id, func.count())
        .where(
            Request.status.in_(OPEN_VALUES),
            overdue,
            *scope.team(Request.team_id),
            *scope.departments(Request.department_id),
        )
        .group_by(Request.department_id)
    )
    return {department_id: int(count) for department_id, count in rows}


def build_kudos_report(*, session: Session, now: datetime, days: int) -> KudosReport:
    since = now - timedelta(days=days)
    tally = kudos_store.tally(session=session, since=since, until=now)
    users = {user for user, _ in tally.receivers[:KUDOS_TOP] + tally.givers[:KUDOS_TOP]}
    names = {
        person.user_id: person.display_name
        for person in session.scalars(select(Person).where(Person.user_id.in_(users)))
    }
    departments = build_report(session=session, now=now, days=days).departments
    return KudosReport(since, now, days, tally, names, departments)
