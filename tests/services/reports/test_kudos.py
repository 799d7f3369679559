"""Kudos in `report` and `report kudos`, on a real database (SQLite, or TEST_DATABASE_URL)."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timedelta
from pathlib import Path

from bot.db import SessionFactory, read_session
from bot.departments import parse_departments
from bot.kudos import store as kudos
from bot.kudos.rules import KudosSource
from bot.reports.formats import (
    CSV_COLUMNS,
    KUDOS_CSV_COLUMNS,
    render_csv,
    render_kudos_csv,
    render_kudos_json,
    render_kudos_text,
    render_text,
)
from bot.reports.store import build_kudos_report, build_report
from bot.requests import store as service
from bot.requests.departments import store as department_store
from bot.requests.rules import RequestAction, Role, Urgency
from models import Person
from tests.fake_clock import FakeClock

TEAM = "T0TEST"
DEPARTMENTS = """
[[departments]]
key = "it"
name = "IT"
channel = "C0IT000001"
agents = ["U0AGENT1", "U0AGENT2"]

[[departments]]
key = "hr"
name = "HR"
channel = "C0HR000001"
"""


def _give(
    session_factory: SessionFactory,
    *,
    giver: str,
    recipients: tuple[str, ...],
    at: datetime,
    key: str,
    request_id: int | None = None,
    department_id: int | None = None,
) -> None:
    with session_factory.begin() as session:
        kudos.record_shoutout(
            session=session,
            team_id=TEAM,
            giver_id=giver,
            source=KudosSource.REQUEST if request_id else KudosSource.COMMAND,
            recipients=recipients,
            message="thanks",
            value=None,
            idempotency_key=key,
            now=at,
            request_id=request_id,
            department_id=department_id,
        )


def _setup(session_factory: SessionFactory, clock: FakeClock) -> None:
    now = clock.now()
    configs = parse_departments(Path("departments.toml"), DEPARTMENTS)
    with session_factory.begin() as session:
        department_store.sync_departments(session=session, team_id=TEAM, configs=configs, now=now)
        hr_request = None
        for number in range(4):
            department = "it" if number < 3 else "hr"
            filed = service.file_request(
                session=session,
                team_id=TEAM,
                requester_id="U0REQ",
                department_key=department,
                text=f"request {number}",
                urgency=Urgency.NORMAL,
                idempotency_key=f"req-{number}",
                now=now - timedelta(days=2),
            ).request
            resolved = service.transition_request(
                session=session,
                request=filed,
                actor_id="U0AGENT1" if department == "it" else "U0HRPERSON",
                action=RequestAction.RESOLVE,
                roles=frozenset({Role.AGENT}),
                now=now - timedelta(days=1),
            ).request
            hr_request = resolved if department == "hr" else hr_request
        assert hr_request is not None
        session.add(Person(team_id=TEAM, user_id="U0AGENT1", display_name="Alex"))
    # IT: two kudos to its listed agents (one shout-out to both) and one to an agent alone.
    _give(session_factory, giver="U0BEA", recipients=("U0AGENT1", "U0AGENT2"), at=now, key="a")
    _give(session_factory, giver="U0CAL", recipients=("U0AGENT1",), at=now, key="b")
    # HR: one through its request's button, to someone not listed anywhere.
    _give(
        session_factory,
        giver="U0REQ",
        recipients=("U0HRPERSON",),
        at=now,
        key="c",
        request_id=hr_request.id,
        department_id=hr_request.department.id,
    )
    # Outside the window: counts nowhere.
    _give(
        session_factory,
        giver="U0BEA",
        recipients=("U0AGENT2",),
        at=now - timedelta(days=40),
        key="d",
    )


def test_report_gains_kudos_per_department(
    session_factory: SessionFactory, clock: FakeClock
) -> None:
    _setup(session_factory, clock)
    with read_session(session_factory) as session:
        report = build_report(session=session, now=clock.now() + timedelta(seconds=1), days=30)
    by_key = {d.key: d.as_json() for d in report.departments}
    assert (by_key["it"]["kudos"], by_key["it"]["kudos_per_100_handled"]) == (3, 100.0)
    assert (by_key["hr"]["kudos"], by_key["hr"]["kudos_per_100_handled"]) == (1, 100.0)
    rows = list(csv.DictReader(io.StringIO(render_csv(report))))
    assert list(rows[0]) == CSV_COLUMNS
    assert {row["key"]: (row["kudos"], row["kudos_per_100_handled"]) for row in rows} == {
        "it": ("3", "100.0"),
        "hr": ("1", "100.0"),
    }
    assert "Kudos" in render_text(report).splitlines()[2]


def test_report_kudos_lists_receivers_and_givers(
    session_factory: SessionFactory, clock: FakeClock
) -> None:
    _setup(session_factory, clock)
    with read_session(session_factory) as session:
        report = build_kudos_report(
            session=session, now=clock.now() + timedelta(seconds=1), days=30
        )
    data = json.loads(render_kudos_json(report))
    assert (data["days"], data["kudos"], data["shoutouts"]) == (30, 4, 3)
    assert data["top_receivers"] == [
        {"user_id": "U0AGENT1", "name": "Alex", "kudos": 2},
        {"user_id": "U0AGENT2", "name": None, "kudos": 1},
        {"user_id": "U0HRPERSON", "name": None, "kudos": 1},
    ]
    assert data["top_givers"] == [
        {"user_id": "U0BEA", "name": None, "kudos": 2},
        {"user_id": "U0CAL", "name": None, "kudos": 1},
        {"user_id": "U0REQ", "name": None, "kudos": 1},
    ]
    assert [
        (d["key"], d["kudos"], d["resolved"], d["kudos_per_100_handled"])
        for d in data["departments"]
    ] == [("hr", 1, 1, 100.0), ("it", 3, 3, 100.0)]
    rows = list(csv.DictReader(io.StringIO(render_kudos_csv(report))))
    assert list(rows[0]) == KUDOS_CSV_COLUMNS
    assert [(row["list"], row["rank"], row["user_id"], row["name"]) for row in rows[:2]] == [
        ("top_receivers", "1", "U0AGENT1", "Alex"),
        ("top_receivers", "2", "U0AGENT2", ""),
    ]
    text = render_kudos_text(report)
    assert "4 kudos, 3 shout-outs" in text
    assert "Alex" in text
    assert "U0HRPERSON" in text


def test_report_kudos_with_nothing(session_factory: SessionFactory, clock: FakeClock) -> None:
    with read_session(session_factory) as session:
        report = build_kudos_report(session=session, now=clock.now(), days=7)
    data = json.loads(render_kudos_json(report))
    assert (data["kudos"], data["top_receivers"], data["departments"]) == (0, [], [])
    assert "Most thanked: nobody yet." in render_kudos_text(report)
