"""The report's count of requests per option of a department's select questions, on a real
database session: from the answers as they were asked, whatever the file says now."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta
from pathlib import Path

from bot.db import SessionFactory
from bot.departments import parse_departments
from bot.reports.formats import CSV_COLUMNS, render_csv, render_json
from bot.reports.store import build_report
from bot.requests import store as service
from bot.requests.departments import store as department_store
from bot.requests.rules import Urgency
from tests.fake_clock import FakeClock

TEAM = "T0TEST"
DEVICE = """
[[departments]]
key = "it"
name = "IT"
channel = "C0IT000001"

[[departments.fields]]
key = "device"
label = "Device"
type = "select"
options = {options}

[[departments.fields]]
key = "asset_tag"
label = "Asset tag"
type = "text"

[[departments]]
key = "hr"
name = "HR"
channel = "C0HR000001"
"""


def _sync(session_factory: SessionFactory, clock: FakeClock, options: str) -> None:
    configs = parse_departments(Path("departments.toml"), DEVICE.replace("{options}", options))
    with session_factory.begin() as session:
        department_store.sync_departments(
            session=session, team_id=TEAM, configs=configs, now=clock.now()
        )


def _file(session_factory: SessionFactory, clock: FakeClock, answers: dict[str, str]) -> None:
    with session_factory.begin() as session:
        service.file_request(
            session=session,
            team_id=TEAM,
            requester_id="U0A",
            department_key="it",
            text="help",
            urgency=Urgency.NORMAL,
            idempotency_key=f"key-{clock.now().isoformat()}",
            now=clock.now(),
            answers=answers,
        )
    clock.advance(timedelta(minutes=1))


def test_requests_are_counted_per_option_old_options_included(
    session_factory: SessionFactory, clock: FakeClock
) -> None:
    _sync(session_factory, clock, '["Laptop", "Fax"]')
    _file(session_factory, clock, {"device": "Fax"})
    clock.advance(timedelta(days=10))  # out of the window: not counted
    _file(session_factory, clock, {"device": "Laptop"})
    _file(session_factory, clock, {"device": "Fax", "asset_tag": "A-1"})
    _file(session_factory, clock, {"asset_tag": "A-2"})
    # Fax is no longer an option, Phone and Tablet are new: Fax's requests still count.
    _sync(session_factory, clock, '["Laptop", "Phone", "Tablet"]')
    _file(session_factory, clock, {"device": "Phone"})
    _file(session_factory, clock, {"device": "Laptop"})

    with session_factory() as session:
        report = build_report(session=session, now=clock.now(), days=7)

    by_key = {d["key"]: d for d in json.loads(render_json(report))["departments"]}
    assert by_key["it"]["field_options"] == {
        "device": {"Laptop": 2, "Phone": 1, "Tablet": 0, "Fax": 1}
    }
    assert by_key["hr"]["field_options"] == {}
    rows = list(csv.DictReader(io.StringIO(render_csv(report))))
    assert list(rows[0])[: len(CSV_COLUMNS)] == CSV_COLUMNS
    it = next(row for row in rows if row["key"] == "it")
    assert (it["device=Laptop"], it["device=Phone"], it["device=Tablet"], it["device=Fax"]) == (
        "2",
        "1",
        "0",
        "1",
    )
