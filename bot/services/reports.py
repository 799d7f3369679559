"""Per-department results over a window: volumes, response and resolution times, CSAT.

Definitions are those of docs/metrics.md; a value with no data behind it is None (null in
JSON, empty in CSV, "-" in text), never 0.
"""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.blocks.text import format_duration
from bot.domain.kudos import Tally, per_hundred
from bot.domain.lifecycle import OPEN_STATUSES, RequestStatus
from bot.domain.metrics import csat_percent, mean_rating, median, percentile
from bot.domain.results import DepartmentReport
from bot.domain.weekly import (
    DEFAULT_ANONYMITY_MIN_RESPONSES,
    ICSQ_ROTATION,
    IcsqArea,
    QuestionKind,
    Week,
    WeeklyAnswerRow,
    WeeklyResults,
    round_half_up,
    weekly_results,
)
from bot.services import kudos, weekly
from bot.tables import format_table
from models import (
    Department,
    Person,
    Rating,
    Request,
    WeeklyAnswer,
    WeeklyComment,
    WeeklyRound,
)

OPEN_VALUES = frozenset(status.value for status in OPEN_STATUSES)


@dataclass(frozen=True)
class Report:
    since: datetime
    until: datetime
    days: int
    departments: list[DepartmentReport]
    weekly_pulse: dict[str, Any]
    anonymity_minimum: int

    def as_json(self) -> dict[str, Any]:
        return {
            "days": self.days,
            "since": self.since.isoformat(),
            "until": self.until.isoformat(),
            "times": "calendar",
            "anonymity_min_responses": self.anonymity_minimum,
            "departments": [department.as_json() for department in self.departments],
            "weekly_pulse": self.weekly_pulse,
        }


def _seconds(value: float | None) -> float | None:
    """Durations to a tenth of a second: finer is noise, and floats print long tails."""
    return None if value is None else round(value, 1)


def _weekly_results(
    session: Session, *, since: datetime, now: datetime, minimum: int
) -> dict[int, WeeklyResults]:
    """Per department, over the weeks the window touches that are final (see Week.final_at)."""
    first, last = Week.of(since.date()), Week.of(now.date())
    spanned = (
        Week(first.monday + timedelta(days=7 * n))
        for n in range((last.monday - first.monday).days // 7 + 1)
    )
    weeks = [week.key for week in spanned if week.final_at <= now]
    rows = session.execute(
        select(
            WeeklyAnswer.department_id,
            WeeklyAnswer.week,
            WeeklyAnswer.kind,
            WeeklyAnswer.area,
            WeeklyAnswer.score,
        ).where(WeeklyAnswer.week.in_(weeks), WeeklyAnswer.department_id.is_not(None))
    )
    answers: dict[int, list[WeeklyAnswerRow]] = defaultdict(list)
    for department_id, week, kind, area, score in rows:
        if department_id is None:
            continue
        answers[department_id].append(
            WeeklyAnswerRow(week, QuestionKind(kind), IcsqArea(area) if area else None, score)
        )
    comments: dict[int, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    # Ordered by their random ids, so the order says nothing about who wrote first.
    for department_id, week, text in session.execute(
        select(WeeklyComment.department_id, WeeklyComment.week, WeeklyComment.text)
        .where(WeeklyComment.week.in_(weeks), WeeklyComment.department_id.is_not(None))
        .order_by(WeeklyComment.id)
    ):
        if department_id is not None:
            comments[department_id][week].append(text)
    return {
        department_id: weekly_results(
            rows_, minimum=minimum, comments_by_week=comments.get(department_id, {})
        )
        for department_id, rows_ in answers.items()
    }


def _last_round(session: Session, *, now: datetime) -> dict[str, Any]:
    """The newest round that has begun: how many were sent it and how many answered."""
    current = Week.of(now.date()).key
    round_ = session.scalars(
        select(WeeklyRound).where(WeeklyRound.week <= current).order_by(WeeklyRound.week.desc())
    ).first()
    if round_ is None:
        return {"week": None, "sent": 0, "answered": 0, "response_rate": None}
    progress = weekly.round_progress(
        session=session,
        round_=weekly.RoundSnapshot(round_.id, round_.team_id, Week.parse(round_.week)),
    )
    rate = round_half_up(100 * progress.answered / progress.sent) if progress.sent else None
    return {
        "week": round_.week,
        "sent": progress.sent,
        "answered": progress.answered,
        "response_rate": rate,
    }


def build_report(
    *,
    session: Session,
    now: datetime,
    days: int,
    anonymity_minimum: int = DEFAULT_ANONYMITY_MIN_RESPONSES,
) -> Report:
    since = now - timedelta(days=days)
    first_responses: dict[int, list[float]] = defaultdict(list)
    resolutions: dict[int, list[float]] = defaultdict(list)
    counts: dict[int, dict[str, int]] = defaultdict(
        lambda: {"requests": 0, "open": 0, "resolved": 0}
    )
    rows = session.execute(
        select(
            Request.department_id,
            Request.status,
            Request.created_at,
            Request.first_response_at,
            Request.resolved_at,
        ).where(Request.created_at >= since, Request.created_at <= now)
    )
    for department_id, status, created_at, first_response_at, resolved_at in rows:
        count = counts[department_id]
        count["requests"] += 1
        if status in OPEN_VALUES:
            count["open"] += 1
        if status == RequestStatus.RESOLVED.value:
            count["resolved"] += 1
            if resolved_at is not None:
                resolutions[department_id].append((resolved_at - created_at).total_seconds())
        if first_response_at is not None:
            first_responses[department_id].append((first_response_at - created_at).total_seconds())

    scores: dict[int, list[int]] = defaultdict(list)
    rated = session.execute(
        select(Request.department_id, Rating.score)
        .join(Request, Request.id == Rating.request_id)
        .where(Rating.score.is_not(None), Rating.rated_at >= since, Rating.rated_at <= now)
    )
    for department_id, score in rated:
        if score is not None:
            scores[department_id].append(score)

    pulse = _weekly_results(session, since=since, now=now, minimum=anonymity_minimum)
    received = kudos.department_kudos(session=session, since=since, until=now)
    handled = kudos.handled_requests(session=session, since=since, until=now)
    departments = session.scalars(select(Department).order_by(Department.team_id, Department.name))
    reports = []
    for department in departments:
        if not department.active and not (
            department.id in counts
            or department.id in scores
            or department.id in pulse
            or department.id in received
        ):
            continue
        count = counts[department.id]
        department_scores = scores[department.id]
        results = pulse.get(department.id, WeeklyResults())
        reports.append(
            DepartmentReport(
                key=department.key,
                name=department.name,
                requests=count["requests"],
                open=count["open"],
                resolved=count["resolved"],
                median_first_response_seconds=_seconds(median(first_responses[department.id])),
                median_resolution_seconds=_seconds(median(resolutions[department.id])),
                csat=csat_percent(department_scores),
                ratings=len(department_scores),
                avg_rating=mean_rating(department_scores),
                p90_first_response_seconds=_seconds(percentile(first_responses[department.id], 90)),
                p90_resolution_seconds=_seconds(percentile(resolutions[department.id], 90)),
                team_id=department.team_id,
                weekly=results,
                kudos=received.get(department.id, 0),
                kudos_per_100_handled=per_hundred(
                    received.get(department.id, 0), handled.get(department.id, 0)
                ),
            )
        )
    return Report(
        since=since,
        until=now,
        days=days,
        departments=reports,
        weekly_pulse=_last_round(session, now=now),
        anonymity_minimum=anonymity_minimum,
    )


def render_json(report: Report) -> str:
    return json.dumps(report.as_json(), indent=2)


CSV_COLUMNS = [
    "key",
    "name",
    "requests",
    "open",
    "resolved",
    "median_first_response_seconds",
    "median_resolution_seconds",
    "csat",
    "ratings",
    "avg_rating",
    "p90_first_response_seconds",
    "p90_resolution_seconds",
    "team_id",
    "pulse_score",
    "pulse_responses",
    "nps",
    "nps_responses",
    "nps_promoters",
    "nps_passives",
    "nps_detractors",
    *(f"icsq_{area.value}" for area in ICSQ_ROTATION),
    "kudos",
    "kudos_per_100_handled",
]


def render_csv(report: Report) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for department in report.departments:
        row = department.as_json()
        for area in ICSQ_ROTATION:
            row[f"icsq_{area.value}"] = department.weekly.icsq.get(area.value)
        writer.writerow({key: "" if row[key] is None else row[key] for key in CSV_COLUMNS})
    return out.getvalue()


def render_text(report: Report) -> str:
    header = (
        "Department",
        "Requests",
        "Open",
        "Resolved",
        "1st response",
        "Resolution",
        "CSAT",
        "Ratings",
        "Avg",
        "Kudos",
    )
    rows = [header]
    for d in report.departments:
        rows.append(
            (
                d.name,
                str(d.requests),
                str(d.open),
                str(d.resolved),
                format_duration(d.median_first_response_seconds),
                format_duration(d.median_resolution_seconds),
                "-" if d.csat is None else f"{d.csat}%",
                str(d.ratings),
                "-" if d.avg_rating is None else f"{d.avg_rating:.1f}",
                str(d.kudos),
            )
        )
    title = (
        f"Last {report.days} days ({report.since:%Y-%m-%d %H:%M} to {report.until:%Y-%m-%d %H:%M} "
        "UTC). Times are medians in calendar time; CSAT is the share of 4-5 ratings.\n\n"
    )
    if len(rows) == 1:
        return title + "No departments yet.\n"
    return (
        title
        + format_table(rows, right_aligned=frozenset(range(1, len(header))))
        + "\n"
        + _render_weekly_text(report)
    )


def _score(value: float | int | None, count: int) -> str:
    if value is None:
        return "-"
    shown = f"{value:.1f}" if isinstance(value, float) else str(value)
    return f"{shown} ({count})"


def _render_weekly_text(report: Report) -> str:
    header = ("Department", "Pulse", "NPS", *(area.value.capitalize() for area in ICSQ_ROTATION))
    rows = [header]
    for d in report.departments:
        pulse = d.weekly
        rows.append(
            (
                d.name,
                _score(pulse.pulse_score, pulse.pulse_responses),
                _score(pulse.nps, pulse.nps_responses),
                *(
                    _score(pulse.icsq.get(area.value), pulse.icsq_responses.get(area.value, 0))
                    for area in ICSQ_ROTATION
                ),
            )
        )
    last = report.weekly_pulse
    if last["week"] is None:
        round_line = "No weekly pulse round yet."
    else:
        rate = "-" if last["response_rate"] is None else f"{last['response_rate']}%"
        round_line = (
            f"Last round {last['week']}: {last['sent']} sent, {last['answered']} answered "
            f"(response rate {rate})."
        )
    comment_lines = [
        line
        for d in report.departments
        if d.weekly.comments
        for line in (
            f"Comments about {d.name}:",
            *(f"  - {' '.join(text.split())}" for text in d.weekly.comments),
        )
    ]
    comments = "\n".join(comment_lines) + "\n" if comment_lines else ""
    return (
        "Weekly pulse, anonymous: means with their number of answers in brackets; a week with "
        f"fewer than {report.anonymity_minimum} answers to a question is left out.\n\n"
        + format_table(rows, right_aligned=frozenset(range(1, len(header))))
        + "\n"
        + round_line
        + "\n"
        + ("\n" + comments if comments else "")
    )


# `report kudos` lists this many receivers and givers.
KUDOS_TOP = 10


@dataclass(frozen=True)
class KudosReport:
    since: datetime
    until: datetime
    days: int
    tally: Tally
    # Display names as last read from Slack; None when never read.
    names: dict[str, str | None]
    departments: list[DepartmentReport]

    def _people(self, rows: list[tuple[str, int]]) -> list[dict[str, Any]]:
        return [
            {"user_id": user, "name": self.names.get(user), "kudos": count}
            for user, count in rows[:KUDOS_TOP]
        ]

    def as_json(self) -> dict[str, Any]:
        return {
            "days": self.days,
            "since": self.since.isoformat(),
            "until": self.until.isoformat(),
            "kudos": self.tally.kudos,
            "shoutouts": self.tally.shoutouts,
            "top_receivers": self._people(self.tally.receivers),
            "top_givers": self._people(self.tally.givers),
            "departments": [
                {
                    "key": d.key,
                    "name": d.name,
                    "team_id": d.team_id,
                    "kudos": d.kudos,
                    "resolved": d.resolved,
                    "kudos_per_100_handled": d.kudos_per_100_handled,
                }
                for d in self.departments
            ],
        }


def build_kudos_report(*, session: Session, now: datetime, days: int) -> KudosReport:
    since = now - timedelta(days=days)
    tally = kudos.tally(session=session, since=since, until=now)
    users = {user for user, _ in tally.receivers[:KUDOS_TOP] + tally.givers[:KUDOS_TOP]}
    names = {
        person.user_id: person.display_name
        for person in session.scalars(select(Person).where(Person.user_id.in_(users)))
    }
    departments = build_report(session=session, now=now, days=days).departments
    return KudosReport(since, now, days, tally, names, departments)


def render_kudos_json(report: KudosReport) -> str:
    return json.dumps(report.as_json(), indent=2)


KUDOS_CSV_COLUMNS = ["list", "rank", "user_id", "name", "kudos"]


def render_kudos_csv(report: KudosReport) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=KUDOS_CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    values = report.as_json()
    for listed in ("top_receivers", "top_givers"):
        for rank, person in enumerate(values[listed], 1):
            writer.writerow(
                {
                    "list": listed,
                    "rank": rank,
                    "user_id": person["user_id"],
                    "name": person["name"] or "",
                    "kudos": person["kudos"],
                }
            )
    return out.getvalue()


def render_kudos_text(report: KudosReport) -> str:
    values = report.as_json()
    title = (
        f"Kudos in the last {report.days} days ({report.since:%Y-%m-%d %H:%M} to "
        f"{report.until:%Y-%m-%d %H:%M} UTC): {report.tally.kudos} kudos, "
        f"{report.tally.shoutouts} shout-outs.\n\n"
    )
    sections = []
    for listed, label in (("top_receivers", "Most thanked"), ("top_givers", "Most thankful")):
        rows = [("#", label, "User ID", "Kudos")]
        rows += [
            (str(rank), person["name"] or "-", person["user_id"], str(person["kudos"]))
            for rank, person in enumerate(values[listed], 1)
        ]
        body = (
            format_table(rows, right_aligned=frozenset({0, 3}))
            if len(rows) > 1
            else f"{label}: nobody yet."
        )
        sections.append(body)
    rows = [("Department", "Kudos", "Resolved", "Per 100 handled")]
    for department in report.departments:
        rate = department.kudos_per_100_handled
        rows.append(
            (
                department.name,
                str(department.kudos),
                str(department.resolved),
                "-" if rate is None else f"{rate:g}",
            )
        )
    departments = (
        format_table(rows, right_aligned=frozenset({1, 2, 3}))
        if len(rows) > 1
        else "No departments yet."
    )
    return title + "\n\n".join(sections) + "\n\n" + departments + "\n"
