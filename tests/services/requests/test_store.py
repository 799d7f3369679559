"""Request desk services on a real database session (SQLite, or TEST_DATABASE_URL)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session

from bot.db import SessionFactory, is_sqlite
from bot.departments import parse_departments
from bot.errors import InvalidTransition, NotFound
from bot.forms.rules import Answer, FieldType
from bot.requests import store as service
from bot.requests.departments import store as department_store
from bot.requests.rules import RequestAction, Role, Urgency
from models import Department
from tests.fake_clock import FakeClock

TEAM = "T0TEST"
FILE = """
[[departments]]
key = "it"
name = "IT"
channel = "C0IT000001"
keywords = ["laptop"]

[[departments]]
key = "hr"
name = "HR"
channel = "C0HR000001"
"""


def _sync(
    session_factory: SessionFactory, clock: FakeClock, content: str
) -> department_store.DepartmentSync:
    configs = parse_departments(Path("departments.toml"), content)
    with session_factory.begin() as session:
        return department_store.sync_departments(
            session=session, team_id=TEAM, configs=configs, now=clock.now()
        )


def _file(
    session: Session, clock: FakeClock, *, department_key: str, key: str
) -> service.FiledRequest:
    return service.file_request(
        session=session,
        team_id=TEAM,
        requester_id="U0A",
        department_key=department_key,
        text="laptop",
        urgency=Urgency.NORMAL,
        idempotency_key=key,
        now=clock.now(),
    )


def test_sync_adds_updates_and_deactivates(
    session_factory: SessionFactory, clock: FakeClock
) -> None:
    assert _sync(session_factory, clock, FILE) == department_store.DepartmentSync(2, 0, 0)
    assert _sync(session_factory, clock, FILE) == department_store.DepartmentSync(0, 0, 0)
    renamed = FILE.replace('name = "IT"', 'name = "IT Help Desk"').split(
        '[[departments]]\nkey = "hr"'
    )[0]
    assert _sync(session_factory, clock, renamed) == department_store.DepartmentSync(0, 1, 1)
    with session_factory() as session:
        rows = {d.key: (d.name, d.active) for d in session.scalars(select(Department))}
    assert rows == {"it": ("IT Help Desk", True), "hr": ("HR", False)}
    with session_factory.begin() as session:
        assert [
            d.key for d in department_store.list_departments(session=session, team_id=TEAM)
        ] == ["it"]
        with pytest.raises(NotFound, match="no department `hr`"):
            _file(session, clock, department_key="hr", key="k1")


def test_stale_version_loses_the_race(session_factory: SessionFactory, clock: FakeClock) -> None:
    _sync(session_factory, clock, FILE)
    with session_factory.begin() as session:
        filed = _file(session, clock, department_key="it", key="k2")
    seen_by_both = filed.request
    agents = frozenset({Role.AGENT})
    with session_factory.begin() as session:
        service.transition_request(
            session=session,
            request=seen_by_both,
            actor_id="U0ONE",
            action=RequestAction.CLAIM,
            roles=agents,
            now=clock.now(),
        )
    with (
        session_factory.begin() as session,
        pytest.raises(InvalidTransition, match="already claimed by <@U0ONE>"),
    ):
        service.transition_request(
            session=session,
            request=seen_by_both,
            actor_id="U0TWO",
            action=RequestAction.CLAIM,
            roles=agents,
            now=clock.now(),
        )


def test_requests_of_other_teams_are_invisible(
    session_factory: SessionFactory, clock: FakeClock
) -> None:
    _sync(session_factory, clock, FILE)
    with session_factory.begin() as session:
        filed = _file(session, clock, department_key="it", key="k3")
    with session_factory() as session, pytest.raises(NotFound):
        service.get_request(session=session, team_id="T0OTHER", request_id=filed.request.id)


def test_sqlite_connections_use_wal_busy_timeout_and_foreign_keys(
    engine: Engine, database_url: str
) -> None:
    if not is_sqlite(database_url):
        pytest.skip("SQLite pragmas")
    with engine.connect() as connection:
        assert connection.scalar(text("PRAGMA journal_mode")) == "wal"
        assert connection.scalar(text("PRAGMA busy_timeout")) == 10_000
        assert connection.scalar(text("PRAGMA foreign_keys")) == 1


QUESTIONS = """
[[departments.fields]]
key = "device"
label = "Device"
type = "select"
required = true
options = ["Laptop", "Phone"]

[[departments.fields]]
key = "needed_by"
label = "Needed by"
type = "date"
"""
WITH_QUESTIONS = FILE.replace('keywords = ["laptop"]\n', 'keywords = ["laptop"]\n' + QUESTIONS)


def _file_answering(
    session: Session, clock: FakeClock, answers: dict[str, str], key: str = "form-1"
) -> service.FiledRequest:
    return service.file_request(
        session=session,
        team_id=TEAM,
        requester_id="U0A",
        department_key="it",
        text="laptop",
        urgency=Urgency.NORMAL,
        idempotency_key=key,
        now=clock.now(),
        answers=answers,
    )


def test_a_departments_questions_are_kept_with_it_and_follow_the_file(
    session_factory: SessionFactory, clock: FakeClock
) -> None:
    assert _sync(session_factory, clock, WITH_QUESTIONS) == department_store.DepartmentSync(2, 0, 0)
    with session_factory() as session:
        [it] = [
            d
            for d in department_store.list_departments(session=session, team_id=TEAM)
            if d.key == "it"
        ]
    assert [(q.key, q.type, q.required, q.options) for q in it.fields] == [
        ("device", FieldType.SELECT, True, ("Laptop", "Phone")),
        ("needed_by", FieldType.DATE, False, ()),
    ]
    assert _sync(session_factory, clock, WITH_QUESTIONS) == department_store.DepartmentSync(0, 0, 0)
    assert _sync(session_factory, clock, FILE) == department_store.DepartmentSync(0, 1, 0)
    with session_factory() as session:
        assert all(
            d.fields == () for d in department_store.list_departments(session=session, team_id=TEAM)
        )


def test_a_request_keeps_its_answers_as_asked_after_the_questions_change(
    session_factory: SessionFactory, clock: FakeClock
) -> None:
    _sync(session_factory, clock, WITH_QUESTIONS)
    with session_factory.begin() as session:
        filed = _file_answering(
            session, clock, {"device": "Phone", "needed_by": "2026-12-24", "ignored": "x"}
        )
    asked = (
        Answer("device", "Device", FieldType.SELECT, "Phone"),
        Answer("needed_by", "Needed by", FieldType.DATE, "2026-12-24"),
    )
    assert filed.request.answers == asked
    # The questions are renamed, then removed: the request still reads as it was asked.
    _sync(session_factory, clock, WITH_QUESTIONS.replace('"Device"', '"Which device?"'))
    _sync(session_factory, clock, FILE)
    with session_factory() as session:
        again = service.get_request(session=session, team_id=TEAM, request_id=filed.request.id)
    assert again.answers == asked
    assert again.department.fields == ()


def test_a_request_that_does_not_answer_what_is_asked_now_is_not_filed(
    session_factory: SessionFactory, clock: FakeClock
) -> None:
    _sync(session_factory, clock, WITH_QUESTIONS)
    for answers in ({}, {"device": "Tablet"}, {"device": "Laptop", "needed_by": "soon"}):
        with (
            session_factory.begin() as session,
            pytest.raises(NotFound, match="asks for more than it was given"),
        ):
            _file_answering(session, clock, answers)
    with session_factory() as session:
        assert session.scalar(text("SELECT count(*) FROM requests")) == 0
    with session_factory.begin() as session:
        assert _file(session, clock, department_key="hr", key="plain").request.answers == ()
