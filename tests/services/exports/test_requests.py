"""`export requests` over requests in every state, on a real database (SQLite, or
TEST_DATABASE_URL): every field, ISO 8601 UTC times, the rating, the service levels' outcome and
the answers, in CSV and in JSON."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.db import SessionFactory
from bot.departments import parse_departments
from bot.exports.flows import export_requests
from bot.exports.formats import write_csv
from bot.exports.rules import COLUMNS
from bot.requests import store as requests_store
from bot.requests.departments import store as department_store
from bot.requests.rules import RequestAction, Urgency
from tests.services.reports.test_store import TEAM, Desk

FILED = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
DEPARTMENTS = """
[[departments]]
key = "it"
name = "IT"
channel = "C0IT000001"
sla = { first_response = "1h", resolution = "1d" }

[[departments.fields]]
key = "device"
label = "Device"
type = "select"
options = ["Laptop", "Phone"]

[[departments]]
key = "hr"
name = "HR"
channel = "C0HR000001"
private = true
agents = ["U0HR1"]
"""


def _file_with_answers(session: Any, text: str, answers: dict[str, str], at: datetime) -> int:
    return requests_store.file_request(
        session=session,
        team_id=TEAM,
        requester_id="U0ALICE",
        department_key="it",
        text=text,
        urgency=Urgency.HIGH,
        idempotency_key=f"answers-{text}",
        now=at,
        answers=answers,
    ).request.id


def _filed(session_factory: SessionFactory) -> None:
    configs = parse_departments(Path("departments.toml"), DEPARTMENTS)
    with session_factory.begin() as session:
        department_store.sync_departments(session=session, team_id=TEAM, configs=configs, now=FILED)
        desk = Desk(session)
        # Claimed after 30 minutes (met), resolved after 2 days (missed), rated 4.
        resolved = desk.file("it", FILED)
        resolved = desk.act(resolved, RequestAction.CLAIM, FILED + timedelta(minutes=30))
        resolved = desk.act(resolved, RequestAction.RESOLVE, FILED + timedelta(days=2))
        desk.rate(resolved, 4, FILED + timedelta(days=2, hours=1))
        # Private, and open.
        desk.file("hr", FILED + timedelta(hours=1))
        # Answered IT's question; its text would run as a formula in a spreadsheet.
        _file_with_answers(session, "=HYPERLINK(1)\nsecond line", {"device": "Laptop"}, FILED)


def _export(session_factory: SessionFactory, output_format: str, now: datetime) -> str:
    out = io.StringIO()
    written = export_requests(
        session_factory,
        since=FILED - timedelta(days=1),
        until=FILED + timedelta(days=1),
        now=now,
        output_format=output_format,
        out=out,
    )
    assert written == 3
    return out.getvalue()


def test_the_json_export_has_every_field_in_iso_utc(session_factory: SessionFactory) -> None:
    _filed(session_factory)
    rows = json.loads(_export(session_factory, "json", FILED + timedelta(days=3)))

    first, answered, private = rows
    assert first["reference"] == f"REQ-{first['id']}"
    assert (first["department"], first["status"], first["rating"]) == ("it", "resolved", 4)
    assert first["created_at"] == "2026-11-02T09:00:00Z"
    assert first["first_response_at"] == "2026-11-02T09:30:00Z"
    assert first["resolved_at"] == "2026-11-04T09:00:00Z"
    assert (first["first_response_sla"], first["resolution_sla"]) == ("met", "missed")
    # IT names no calendar: every minute of the 30 and of the 2 days is working time.
    assert first["first_response_business_seconds"] == 30 * 60
    assert first["resolution_business_seconds"] == 2 * 24 * 3600
    assert answered["answers"] == {"device": "Laptop"}
    assert answered["urgency"] == "high"
    assert (private["department"], private["private"], private["status"]) == ("hr", True, "open")
    # HR promises nothing.
    assert (private["first_response_sla"], private["resolution_sla"]) == (None, None)
    assert (private["first_response_business_seconds"], private["resolution_business_seconds"]) == (
        None,
        None,
    )


def test_a_target_still_to_be_met_is_open(session_factory: SessionFactory) -> None:
    _filed(session_factory)
    rows = json.loads(_export(session_factory, "json", FILED + timedelta(minutes=10)))
    answered = rows[1]
    assert (answered["first_response_sla"], answered["resolution_sla"]) == ("open", "open")


def test_the_csv_export_has_a_column_per_question_and_guards_spreadsheets(
    session_factory: SessionFactory,
) -> None:
    _filed(session_factory)
    rows = list(csv.DictReader(io.StringIO(_export(session_factory, "csv", FILED))))

    assert [row["department"] for row in rows] == ["it", "it", "hr"]
    answered = rows[1]
    assert answered["answer:device"] == "Laptop"
    assert answered["text"] == "'=HYPERLINK(1)\nsecond line"
    assert answered["private"] == "false"
    assert rows[0]["rating"] == "4"
    assert rows[0]["other_answers"] == ""


def test_answers_to_questions_since_removed_stay_in_the_csv() -> None:
    row = {"answers": {"device": "Phone", "floor": "3"}}
    out = io.StringIO()
    write_csv([{**dict.fromkeys(COLUMNS), **row}], ["device"], out)
    [read] = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert read["answer:device"] == "Phone"
    assert json.loads(read["other_answers"]) == {"floor": "3"}


def test_nothing_filed_is_an_empty_export(session_factory: SessionFactory) -> None:
    out = io.StringIO()
    assert (
        export_requests(
            session_factory,
            since=FILED,
            until=FILED + timedelta(days=1),
            now=FILED,
            output_format="json",
            out=out,
        )
        == 0
    )
    assert json.loads(out.getvalue()) == []
