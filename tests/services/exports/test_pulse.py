"""`export pulse` on a real database: per department and final week, only what the anonymity
rule lets through, and never a week whose answers could still change."""

from __future__ import annotations

import csv
import io
import json
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.db import SessionFactory
from bot.departments import parse_departments
from bot.exports.flows import export_pulse
from bot.requests.departments import store as department_store
from models import Department, WeeklyAnswer
from tests.services.reports.test_store import TEAM

# Week 2026-W45 began on Monday 2 November; its results are final long before 1 December.
WEEK = "2026-W45"
NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)
DEPARTMENTS = """
[[departments]]
key = "it"
name = "IT"
channel = "C0IT000001"

[[departments]]
key = "hr"
name = "HR"
channel = "C0HR000001"
"""


def _answers(session_factory: SessionFactory) -> None:
    configs = parse_departments(Path("departments.toml"), DEPARTMENTS)
    with session_factory.begin() as session:
        department_store.sync_departments(session=session, team_id=TEAM, configs=configs, now=NOW)
        ids = {d.key: d.id for d in session.query(Department).all()}

        def answer(week: str, key: str, kind: str, score: int, area: str | None = None) -> None:
            session.add(
                WeeklyAnswer(
                    id=uuid.uuid4().hex,
                    team_id=TEAM,
                    week=week,
                    department_id=ids[key],
                    kind=kind,
                    area=area,
                    score=score,
                )
            )

        # IT: six pulse answers and six on communication, enough; HR: three, too few.
        for score in (5, 4, 4, 3, 5, 5):
            answer(WEEK, "it", "pulse", score)
            answer(WEEK, "it", "icsq", score, "communication")
        for score in (1, 2, 1):
            answer(WEEK, "hr", "pulse", score)
        # This week is not final yet.
        for score in (5, 5, 5, 5, 5):
            answer("2026-W49", "it", "pulse", score)


def _export(session_factory: SessionFactory, output_format: str) -> str:
    out = io.StringIO()
    export_pulse(
        session_factory,
        since=NOW - timedelta(days=60),
        until=NOW,
        minimum=5,
        output_format=output_format,
        out=out,
    )
    return out.getvalue()


def test_only_what_the_anonymity_rule_allows_is_exported(session_factory: SessionFactory) -> None:
    _answers(session_factory)
    rows = json.loads(_export(session_factory, "json"))

    assert [(row["week"], row["department"]) for row in rows] == [(WEEK, "it"), (WEEK, "hr")]
    it, hr = rows
    assert (it["pulse_score"], it["pulse_responses"]) == (4.3, 6)
    assert (it["icsq_communication"], it["icsq_communication_responses"]) == (4.3, 6)
    assert (it["icsq_productivity"], it["nps"]) == (None, None)
    # Three answers are fewer than five: neither the score nor how many is shown.
    assert (hr["pulse_score"], hr["pulse_responses"]) == (None, 0)
    assert "comments" not in it


def test_the_pulse_export_as_csv_has_the_documented_columns(
    session_factory: SessionFactory,
) -> None:
    _answers(session_factory)
    rows = list(csv.DictReader(io.StringIO(_export(session_factory, "csv"))))
    assert list(rows[0]) == [
        "week",
        "department",
        "department_name",
        "pulse_score",
        "pulse_responses",
        "nps",
        "nps_responses",
        "nps_promoters",
        "nps_passives",
        "nps_detractors",
        "icsq_communication",
        "icsq_productivity",
        "icsq_responsiveness",
        "icsq_communication_responses",
        "icsq_productivity_responses",
        "icsq_responsiveness_responses",
    ]
    assert (rows[1]["department"], rows[1]["pulse_score"], rows[1]["pulse_responses"]) == (
        "hr",
        "",
        "0",
    )
