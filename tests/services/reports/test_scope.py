"""A report scoped to one workspace, or to some of its departments, reads only those rows:
another workspace's requests and ratings never reach a lead's Home tab."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

from bot.db import SessionFactory
from bot.departments import parse_departments
from bot.reports.store import Scope, build_report, department_reports
from bot.requests import store as requests
from bot.requests.departments import store as department_store
from bot.requests.rules import RequestAction, Role, Urgency
from bot.satisfaction import store as ratings
from bot.satisfaction.flows.feedback import Feedback
from tests.fake_clock import FakeClock

OURS, THEIRS = "T0OURS", "T0THEIRS"
DEPARTMENTS = """
[[departments]]
key = "it"
name = "IT"
channel = "C0IT000001"
leads = ["U0LEAD"]

[[departments]]
key = "hr"
name = "HR"
channel = "C0HR000001"
"""


def _activity(session_factory: SessionFactory, clock: FakeClock, team_id: str, n: int) -> None:
    """`n` requests to each department, each resolved and rated 1."""
    now = clock.now()
    configs = parse_departments(Path("departments.toml"), DEPARTMENTS)
    with session_factory.begin() as session:
        department_store.sync_departments(
            session=session, team_id=team_id, configs=configs, now=now
        )
        for i in range(n):
            for key in ("it", "hr"):
                filed = requests.file_request(
                    session=session,
                    team_id=team_id,
                    requester_id="U0ASKER",
                    department_key=key,
                    text="help",
                    urgency=Urgency.NORMAL,
                    idempotency_key=f"{team_id}-{key}-{i}",
                    now=now,
                ).request
                resolved = requests.transition_request(
                    session=session,
                    request=filed,
                    actor_id="U0AGENT",
                    action=RequestAction.RESOLVE,
                    roles=frozenset({Role.AGENT}),
                    now=now + timedelta(minutes=5),
                ).request
                pulse = ratings.schedule_pulse(
                    session=session, request=resolved, delay=timedelta(0), now=now
                )
                ratings.set_rating(session=session, pulse=pulse, score=1, now=now)


def test_a_report_scoped_to_a_workspace_counts_only_its_rows(
    session_factory: SessionFactory, clock: FakeClock
) -> None:
    _activity(session_factory, clock, OURS, 2)
    _activity(session_factory, clock, THEIRS, 5)
    now = clock.now() + timedelta(hours=1)

    with session_factory() as session:
        everywhere = build_report(session=session, now=now, days=30)
        ours = build_report(session=session, now=now, days=30, scope=Scope(team_id=OURS))

    assert sorted((d.team_id, d.key, d.requests) for d in everywhere.departments) == [
        (OURS, "hr", 2),
        (OURS, "it", 2),
        (THEIRS, "hr", 5),
        (THEIRS, "it", 5),
    ]
    assert sorted((d.team_id, d.key, d.requests, d.ratings) for d in ours.departments) == [
        (OURS, "hr", 2, 2),
        (OURS, "it", 2, 2),
    ]


def test_a_leads_home_tab_reads_only_their_departments_in_their_workspace(
    session_factory: SessionFactory, clock: FakeClock
) -> None:
    _activity(session_factory, clock, OURS, 2)
    _activity(session_factory, clock, THEIRS, 5)
    clock.advance(timedelta(hours=1))

    feedback = Feedback(session_factory=session_factory, clock=clock, admins=())
    seen = feedback.team_feedback(team_id=OURS, user_id="U0LEAD")

    assert seen is not None
    assert [(d.team_id, d.key, d.requests, d.csat) for d in seen.departments] == [
        (OURS, "it", 2, 0)
    ]
    assert {item.request.team_id for item in seen.recent} == {OURS}
    assert {item.request.department.key for item in seen.recent} == {"it"}


def test_without_field_options_a_report_is_the_same_but_for_them(
    session_factory: SessionFactory, clock: FakeClock
) -> None:
    _activity(session_factory, clock, OURS, 3)
    _activity(session_factory, clock, THEIRS, 4)
    now = clock.now() + timedelta(hours=1)
    scope = Scope(team_id=OURS)

    with session_factory() as session:
        full = build_report(session=session, now=now, days=30, scope=scope).departments
        lean = department_reports(
            session=session, now=now, days=30, scope=scope, field_options=False
        )

    assert [replace(d, field_options={}) for d in full] == lean
    assert [d.requests for d in lean] == [3, 3]


def test_a_leads_figures_are_read_once_a_minute(
    session_factory: SessionFactory, clock: FakeClock
) -> None:
    _activity(session_factory, clock, OURS, 2)
    clock.advance(timedelta(hours=1))
    feedback = Feedback(session_factory=session_factory, clock=clock, admins=())

    def it_requests() -> int:
        seen = feedback.team_feedback(team_id=OURS, user_id="U0LEAD")
        assert seen is not None
        return seen.departments[0].requests

    assert it_requests() == 2
    with session_factory.begin() as session:
        requests.file_request(
            session=session,
            team_id=OURS,
            requester_id="U0ASKER",
            department_key="it",
            text="one more",
            urgency=Urgency.NORMAL,
            idempotency_key="one-more",
            now=clock.now(),
        )
    # Within the minute the figures read at its start stand; the next minute reads them anew
    # (Home is redrawn at the end of the minute of a change).
    assert it_requests() == 2
    clock.advance(timedelta(minutes=1))
    assert it_requests() == 3


def test_an_admin_reads_one_page_of_departments(
    session_factory: SessionFactory, clock: FakeClock
) -> None:
    _activity(session_factory, clock, OURS, 1)
    clock.advance(timedelta(hours=1))
    feedback = Feedback(session_factory=session_factory, clock=clock, admins=("U0ADMIN",))

    first = feedback.team_feedback(team_id=OURS, user_id="U0ADMIN")
    last = feedback.team_feedback(team_id=OURS, user_id="U0ADMIN", page=99)

    assert first is not None
    assert last is not None
    assert (first.page, first.pages, last.page) == (1, 1, 1)
    assert [d.key for d in first.departments] == [d.key for d in last.departments]
    assert {d.key for d in first.departments} == {"it", "hr"}
