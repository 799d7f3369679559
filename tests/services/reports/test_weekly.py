"""The weekly pulse in the department report, on a real database session (SQLite, or
TEST_DATABASE_URL): only weeks with enough answers to a question are ever shown."""

from __future__ import annotations

import csv
import io
import json
import re
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot.calendar import Week
from bot.db import SessionFactory
from bot.departments import parse_departments
from bot.reports.formats import CSV_COLUMNS, render_csv, render_json, render_text
from bot.reports.rules import Report
from bot.reports.store import build_report
from bot.requests.departments import store as department_store
from bot.weekly.rules import (
    DEFAULT_ANONYMITY_MIN_RESPONSES,
    ICSQ_ROTATION,
    DeliveryState,
    IcsqArea,
    QuestionKind,
    results_final_at,
)
from models import Department, WeeklyAnswer, WeeklyDelivery, WeeklyRound
from tests.fake_clock import FakeClock

TEAM = "T0TEST"
K = DEFAULT_ANONYMITY_MIN_RESPONSES
W42, W43, W44, W45, W46 = "2026-W42", "2026-W43", "2026-W44", "2026-W45", "2026-W46"
DEPARTMENTS = {"it": ("IT", "C0IT000001"), "hr": ("HR", "C0HR000001")}
REQUEST_KEYS = {
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
}
KUDOS_KEYS = {"kudos", "kudos_per_100_handled"}
SERVICE_LEVEL_KEYS = {
    "first_response_sla_met",
    "resolution_sla_met",
    "overdue_open",
    "median_first_response_business_seconds",
    "median_resolution_business_seconds",
}
WEEKLY_KEYS = {
    "pulse_score",
    "pulse_responses",
    "nps",
    "nps_responses",
    "nps_promoters",
    "nps_passives",
    "nps_detractors",
    "icsq",
    "icsq_responses",
    "comments",
}
AREAS = {"communication", "productivity", "responsiveness"}
NO_ROUND = {"week": None, "sent": 0, "answered": 0, "response_rate": None}
HIDDEN: dict[str, Any] = {
    "pulse_score": None,
    "pulse_responses": 0,
    "nps": None,
    "nps_responses": 0,
    "nps_promoters": 0,
    "nps_passives": 0,
    "nps_detractors": 0,
    "icsq": dict.fromkeys(AREAS),
    "icsq_responses": dict.fromkeys(AREAS, 0),
    "comments": [],
}


def _sync(
    session_factory: SessionFactory, now: datetime, keys: Sequence[str] = ("it", "hr")
) -> dict[str, int]:
    content = "\n".join(
        f'[[departments]]\nkey = "{key}"\nname = "{DEPARTMENTS[key][0]}"\n'
        f'channel = "{DEPARTMENTS[key][1]}"\n'
        for key in keys
    )
    configs = parse_departments(Path("departments.toml"), content)
    with session_factory.begin() as session:
        department_store.sync_departments(session=session, team_id=TEAM, configs=configs, now=now)
        return {d.key: d.id for d in session.scalars(select(Department))}


def _answer(
    session_factory: SessionFactory,
    department_id: int | None,
    week: str,
    kind: QuestionKind,
    scores: Sequence[int],
    area: IcsqArea | None = None,
) -> None:
    with session_factory.begin() as session:
        session.add_all(
            WeeklyAnswer(
                id=uuid.uuid4().hex,
                team_id=TEAM,
                week=week,
                department_id=department_id,
                kind=kind.value,
                area=area.value if area else None,
                score=score,
            )
            for score in scores
        )


def _pulse(
    session_factory: SessionFactory, department_id: int | None, week: str, scores: Sequence[int]
) -> None:
    _answer(session_factory, department_id, week, QuestionKind.PULSE, scores)


def _round(
    session_factory: SessionFactory,
    week: str,
    deliveries: Sequence[tuple[str, list[int]]],
    created_at: datetime,
    team_id: str = TEAM,
) -> None:
    with session_factory.begin() as session:
        round_ = WeeklyRound(team_id=team_id, week=week, created_at=created_at)
        session.add(round_)
        session.flush()
        for n, (state, answered) in enumerate(deliveries):
            session.add(
                WeeklyDelivery(
                    round_id=round_.id,
                    team_id=team_id,
                    user_id=f"U0PERSON{n:03d}",
                    state=state,
                    due_at=created_at,
                    questions=[
                        {
                            "kind": "pulse",
                            "department_id": None,
                            "department_name": None,
                            "area": None,
                        }
                    ],
                    answered=answered,
                    channel_id=None,
                    ts=None,
                )
            )


# A week's answers are reported once the week is final (results_final_at). The reports here
# are read two weeks after `now`, over a window that still starts `days` before `now`.
READ_LATER = timedelta(days=14)


def _report(
    session_factory: SessionFactory, now: datetime, days: int = 7, minimum: int = K
) -> Report:
    with session_factory() as session:
        return build_report(
            session=session,
            now=now + READ_LATER,
            days=days + READ_LATER.days,
            anonymity_minimum=minimum,
        )


def _report_now(session_factory: SessionFactory, now: datetime) -> Report:
    """A report read at `now` itself: the last round is the newest that has begun by then."""
    with session_factory() as session:
        return build_report(session=session, now=now, days=7, anonymity_minimum=K)


def _departments(report: Report) -> dict[str, dict[str, Any]]:
    parsed = json.loads(render_json(report))
    return {d["key"]: d for d in parsed["departments"]}


def _weekly(department: dict[str, Any]) -> dict[str, Any]:
    return {key: department[key] for key in WEEKLY_KEYS}


def test_the_clock_starts_in_the_weeks_used_here(clock: FakeClock) -> None:
    now = clock.now()
    assert Week.of(now.date()).key == W45
    assert Week.of((now - timedelta(days=7)).date()).key == W44
    assert Week.of((now - timedelta(days=14)).date()).key == W43


class TestPulseCounts:
    def test_a_week_with_enough_answers_is_shown(
        self, session_factory: SessionFactory, clock: FakeClock
    ) -> None:
        ids = _sync(session_factory, clock.now())
        _pulse(session_factory, ids["it"], W45, [5, 4, 4, 3, 5])
        it = _departments(_report(session_factory, clock.now()))["it"]
        assert (it["pulse_score"], it["pulse_responses"]) == (4.2, 5)

    def test_a_week_with_too_few_answers_is_hidden(
        self, session_factory: SessionFactory, clock: FakeClock
    ) -> None:
        ids = _sync(session_factory, clock.now())
        _pulse(session_factory, ids["it"], W45, [5, 4, 4, 3])
        departments = _departments(_report(session_factory, clock.now()))
        assert (departments["it"]["pulse_score"], departments["it"]["pulse_responses"]) == (
            None,
            0,
        )
        assert _weekly(departments["it"]) == HIDDEN
        assert _weekly(departments["hr"]) == HIDDEN

    def test_only_the_week_with_enough_answers_counts(
        self, session_factory: SessionFactory, clock: FakeClock
    ) -> None:
        ids = _sync(session_factory, clock.now())
        _pulse(session_factory, ids["it"], W44, [2, 2, 2, 2, 2])
        _pulse(session_factory, ids["it"], W45, [5, 5, 5, 5])
        it = _departments(_report(session_factory, clock.now()))["it"]
        assert (it["pulse_score"], it["pulse_responses"]) == (2.0, 5)

    def test_departments_are_counted_apart(
        self, session_factory: SessionFactory, clock: FakeClock
    ) -> None:
        ids = _sync(session_factory, clock.now())
        _pulse(session_factory, ids["it"], W45, [4, 4, 4, 4, 4])
        _pulse(session_factory, ids["hr"], W45, [1, 1, 1, 1])
        departments = _departments(_report(session_factory, clock.now()))
        assert (departments["it"]["pulse_score"], departments["it"]["pulse_responses"]) == (
            4.0,
            5,
        )
        assert _weekly(departments["hr"]) == HIDDEN

    @pytest.mark.parametrize(
        ("early", "late", "seven_days", "fourteen_days"),
        [
            pytest.param(5, 4, 0, 5, id="enough-then-too-few"),
            pytest.param(4, 5, 5, 5, id="too-few-then-enough"),
            pytest.param(5, 6, 6, 11, id="both-enough"),
            pytest.param(4, 4, 0, 0, id="neither"),
        ],
    )
    def test_a_week_and_a_fortnight_never_differ_by_fewer_than_the_minimum(
        self,
        session_factory: SessionFactory,
        clock: FakeClock,
        early: int,
        late: int,
        seven_days: int,
        fourteen_days: int,
    ) -> None:
        # From Monday of W45, 7 days reach back into W44 and 14 days into W43.
        ids = _sync(session_factory, clock.now() - timedelta(days=30))
        _pulse(session_factory, ids["it"], W43, [3] * early)
        _pulse(session_factory, ids["it"], W44, [4] * late)
        week = _departments(_report(session_factory, clock.now(), days=7))["it"]
        fortnight = _departments(_report(session_factory, clock.now(), days=14))["it"]
        assert (week["pulse_responses"], fortnight["pulse_responses"]) == (
            seven_days,
            fourteen_days,
        )
        difference = fortnight["pulse_responses"] - week["pulse_responses"]
        assert difference == 0 or difference >= K

    @pytest.mark.parametrize(
        "sizes",
        [
            pytest.param({W42: 5, W43: 4, W44: 6, W45: 3}, id="mixed"),
            pytest.param({W42: 4, W43: 4, W44: 4, W45: 4}, id="all-too-few"),
            pytest.param({W42: 7, W43: 5, W44: 1, W45: 5}, id="one-small-week"),
            pytest.param({W42: 0, W43: 9, W44: 0, W45: 6}, id="gaps"),
            pytest.param({W42: 6, W43: 2, W44: 5, W45: 8}, id="small-week-inside"),
        ],
    )
    def test_nested_windows_never_differ_by_fewer_than_the_minimum(
        self, session_factory: SessionFactory, clock: FakeClock, sizes: dict[str, int]
    ) -> None:
        # On Wednesday of W45: 1 day is W45 alone, 7 days add W44, 14 W43 and 21 W42.
        now = clock.now() + timedelta(days=2)
        ids = _sync(session_factory, now - timedelta(days=60))
        for week, size in sizes.items():
            _pulse(session_factory, ids["it"], week, [(n % 5) + 1 for n in range(size)])
        counts = [
            _departments(_report(session_factory, now, days=days))["it"]["pulse_responses"]
            for days in (1, 7, 14, 21, 28)
        ]
        weeks = [W45, W44, W43, W42, None]
        expected = [
            sum(sizes[w] for w in weeks[: index + 1] if w and sizes[w] >= K)
            for index in range(len(weeks))
        ]
        assert counts == expected
        for narrow in counts:
            for wide in counts:
                assert narrow == wide or abs(wide - narrow) >= K

    def test_weeks_outside_the_window_do_not_count(
        self, session_factory: SessionFactory, clock: FakeClock
    ) -> None:
        ids = _sync(session_factory, clock.now())
        _pulse(session_factory, ids["it"], W43, [1] * K)
        _pulse(session_factory, ids["it"], W46, [2] * K)
        it = _departments(_report(session_factory, clock.now(), days=7))["it"]
        assert _weekly(it) == HIDDEN

    def test_a_week_still_open_is_not_reported_until_it_is_final(
        self, session_factory: SessionFactory, clock: FakeClock
    ) -> None:
        ids = _sync(session_factory, clock.now())
        _pulse(session_factory, ids["it"], W45, [4, 4, 4, 4, 4])

        def read(at: datetime) -> dict[str, Any]:
            with session_factory() as session:
                report = build_report(session=session, now=at, days=30, anonymity_minimum=K)
            return _departments(report)["it"]

        tuesday = clock.now() + timedelta(days=1)
        assert (read(tuesday)["pulse_score"], read(tuesday)["pulse_responses"]) == (None, 0)
        _pulse(session_factory, ids["it"], W45, [1])
        final = results_final_at(Week.parse(W45))
        before = read(final - timedelta(seconds=1))
        after = read(final)
        assert (before["pulse_score"], before["pulse_responses"]) == (None, 0)
        assert (after["pulse_score"], after["pulse_responses"]) == (3.5, 6)


class TestAnonymityMinimum:
    @pytest.mark.parametrize(
        ("minimum", "size", "shown"),
        [
            pytest.param(3, 2, False, id="3-hides-2"),
            pytest.param(3, 3, True, id="3-shows-3"),
            pytest.param(3, 4, True, id="3-shows-4"),
            pytest.param(5, 4, False, id="5-hides-4"),
            pytest.param(5, 5, True, id="5-shows-5"),
            pytest.param(7, 6, False, id="7-hides-6"),
        ],
    )
    def test_the_minimum_decides_what_is_shown(
        self,
        session_factory: SessionFactory,
        clock: FakeClock,
        minimum: int,
        size: int,
        shown: bool,
    ) -> None:
        ids = _sync(session_factory, clock.now())
        _pulse(session_factory, ids["it"], W45, [4] * size)
        report = _report(session_factory, clock.now(), minimum=minimum)
        assert report.anonymity_minimum == minimum
        assert json.loads(render_json(report))["anonymity_min_responses"] == minimum
        it = _departments(report)["it"]
        expected = (4.0, size) if shown else (None, 0)
        assert (it["pulse_score"], it["pulse_responses"]) == expected

    def test_a_lower_minimum_shows_more(
        self, session_factory: SessionFactory, clock: FakeClock
    ) -> None:
        ids = _sync(session_factory, clock.now())
        _pulse(session_factory, ids["it"], W44, [2, 2, 2, 2])
        _pulse(session_factory, ids["it"], W45, [5, 5, 5, 5, 5])
        _answer(session_factory, ids["it"], W45, QuestionKind.NPS, [10, 10, 0])
        _answer(
            session_factory,
            ids["it"],
            W44,
            QuestionKind.ICSQ,
            [3, 4, 5, 4],
            IcsqArea.PRODUCTIVITY,
        )
        strict = _departments(_report(session_factory, clock.now()))["it"]
        lenient = _departments(_report(session_factory, clock.now(), minimum=3))["it"]
        assert (strict["pulse_score"], strict["pulse_responses"]) == (5.0, 5)
        assert (lenient["pulse_score"], lenient["pulse_responses"]) == (3.7, 9)
        assert (strict["nps"], strict["nps_responses"]) == (None, 0)
        assert (lenient["nps"], lenient["nps_responses"]) == (33, 3)
        assert (lenient["nps_promoters"], lenient["nps_passives"], lenient["nps_detractors"]) == (
            2,
            0,
            1,
        )
        assert strict["icsq"]["productivity"] is None
        assert (lenient["icsq"]["productivity"], lenient["icsq_responses"]["productivity"]) == (
            4.0,
            4,
        )


class TestJson:
    def test_every_department_has_the_weekly_keys(
        self, session_factory: SessionFactory, clock: FakeClock
    ) -> None:
        ids = _sync(session_factory, clock.now())
        _pulse(session_factory, ids["it"], W45, [5, 4, 4, 3, 5])
        parsed = json.loads(render_json(_report(session_factory, clock.now())))
        assert [d["key"] for d in parsed["departments"]] == ["hr", "it"]
        for department in parsed["departments"]:
            assert set(department) == (
                REQUEST_KEYS
                | WEEKLY_KEYS
                | KUDOS_KEYS
                | SERVICE_LEVEL_KEYS
                | {"field_options", "shared_updates"}
            )
            assert set(department["icsq"]) == AREAS
            assert set(department["icsq_responses"]) == AREAS
        assert set(parsed["weekly_pulse"]) == {"week", "sent", "answered", "response_rate"}
        assert parsed["weekly_pulse"] == NO_ROUND

    def test_nps_and_icsq_results(self, session_factory: SessionFactory, clock: FakeClock) -> None:
        ids = _sync(session_factory, clock.now())
        _answer(session_factory, ids["it"], W45, QuestionKind.NPS, [10, 9, 8, 7, 6, 0, 10])
        _answer(
            session_factory,
            ids["it"],
            W44,
            QuestionKind.ICSQ,
            [5, 4, 4, 3, 5],
            IcsqArea.COMMUNICATION,
        )
        _answer(
            session_factory,
            ids["it"],
            W45,
            QuestionKind.ICSQ,
            [2, 2, 2, 2],
            IcsqArea.PRODUCTIVITY,
        )
        _answer(
            session_factory,
            ids["it"],
            W45,
            QuestionKind.ICSQ,
            [3, 3, 4, 4, 4, 4],
            IcsqArea.RESPONSIVENESS,
        )
        it = _departments(_report(session_factory, clock.now()))["it"]
        assert _weekly(it) == {
            "pulse_score": None,
            "pulse_responses": 0,
            # 3 promoters, 2 passives, 2 detractors of 7: 14.29 -> 14.
            "nps": 14,
            "nps_responses": 7,
            "nps_promoters": 3,
            "nps_passives": 2,
            "nps_detractors": 2,
            "icsq": {"communication": 4.2, "productivity": None, "responsiveness": 3.7},
            "icsq_responses": {"communication": 5, "productivity": 0, "responsiveness": 6},
            "comments": [],
        }

    def test_a_negative_nps_rounds_away_from_zero(
        self, session_factory: SessionFactory, clock: FakeClock
    ) -> None:
        ids = _sync(session_factory, clock.now())
        _answer(session_factory, ids["it"], W45, QuestionKind.NPS, [6, 7, 7, 7, 7, 7, 7, 8])
        it = _departments(_report(session_factory, clock.now()))["it"]
        assert (it["nps"], it["nps_responses"], it["nps_detractors"]) == (-13, 8, 1)

    def test_a_small_icsq_week_leaves_the_same_weeks_pulse_alone(
        self, session_factory: SessionFactory, clock: FakeClock
    ) -> None:
        ids = _sync(session_factory, clock.now())
        _pulse(session_factory, ids["it"], W45, [4, 4, 4, 4, 5])
        _answer(
            session_factory,
            ids["it"],
            W45,
            QuestionKind.ICSQ,
            [1, 1, 1, 1],
            IcsqArea.COMMUNICATION,
        )
        it = _departments(_report(session_factory, clock.now()))["it"]
        assert (it["pulse_score"], it["pulse_responses"]) == (4.2, 5)
        assert it["icsq"] == dict.fromkeys(AREAS)
        assert it["icsq_responses"] == dict.fromkeys(AREAS, 0)


class TestAnswersAboutNoDepartment:
    def test_they_appear_in_no_department(
        self, session_factory: SessionFactory, clock: FakeClock
    ) -> None:
        ids = _sync(session_factory, clock.now())
        for area in ICSQ_ROTATION:
            _answer(session_factory, None, W45, QuestionKind.ICSQ, [1] * (2 * K), area)
        _pulse(session_factory, None, W45, [1] * K)
        departments = _departments(_report(session_factory, clock.now()))
        assert set(departments) == set(ids)
        for department in departments.values():
            assert _weekly(department) == HIDDEN

    def test_they_do_not_make_up_a_departments_minimum(
        self, session_factory: SessionFactory, clock: FakeClock
    ) -> None:
        ids = _sync(session_factory, clock.now())
        _answer(session_factory, None, W45, QuestionKind.ICSQ, [1, 1], IcsqArea.COMMUNICATION)
        _answer(
            session_factory,
            ids["it"],
            W45,
            QuestionKind.ICSQ,
            [5, 5, 5],
            IcsqArea.COMMUNICATION,
        )
        it = _departments(_report(session_factory, clock.now()))["it"]
        assert it["icsq_responses"]["communication"] == 0

    def test_they_do_not_change_a_departments_results(
        self, session_factory: SessionFactory, clock: FakeClock
    ) -> None:
        ids = _sync(session_factory, clock.now())
        _answer(session_factory, None, W45, QuestionKind.ICSQ, [1] * K, IcsqArea.COMMUNICATION)
        _answer(
            session_factory,
            ids["it"],
            W45,
            QuestionKind.ICSQ,
            [5] * K,
            IcsqArea.COMMUNICATION,
        )
        it = _departments(_report(session_factory, clock.now()))["it"]
        assert (it["icsq"]["communication"], it["icsq_responses"]["communication"]) == (5.0, K)


class TestLastRound:
    def test_no_round_yet(self, session_factory: SessionFactory, clock: FakeClock) -> None:
        _sync(session_factory, clock.now())
        assert _report_now(session_factory, clock.now()).weekly_pulse == NO_ROUND

    def test_the_current_rounds_response_rate(
        self, session_factory: SessionFactory, clock: FakeClock
    ) -> None:
        _sync(session_factory, clock.now())
        sent = DeliveryState.SENT
        _round(session_factory, W45, [(sent, [0]), (sent, []), (sent, []), (sent, [])], clock.now())
        parsed = json.loads(render_json(_report_now(session_factory, clock.now())))
        assert parsed["weekly_pulse"] == {
            "week": W45,
            "sent": 4,
            "answered": 1,
            "response_rate": 25,
        }

    def test_a_future_weeks_round_is_ignored(
        self, session_factory: SessionFactory, clock: FakeClock
    ) -> None:
        _sync(session_factory, clock.now())
        sent = DeliveryState.SENT
        _round(session_factory, W45, [(sent, [0]), (sent, []), (sent, []), (sent, [])], clock.now())
        _round(session_factory, W46, [(DeliveryState.PENDING, [])] * 3, clock.now())
        report = _report_now(session_factory, clock.now())
        assert report.weekly_pulse == {"week": W45, "sent": 4, "answered": 1, "response_rate": 25}

    def test_only_a_future_round_is_no_round(
        self, session_factory: SessionFactory, clock: FakeClock
    ) -> None:
        _sync(session_factory, clock.now())
        _round(session_factory, W46, [(DeliveryState.SENT, [0, 1])], clock.now())
        assert _report_now(session_factory, clock.now()).weekly_pulse == NO_ROUND

    def test_the_newest_begun_round_is_shown(
        self, session_factory: SessionFactory, clock: FakeClock
    ) -> None:
        _sync(session_factory, clock.now())
        sent = DeliveryState.SENT
        _round(session_factory, W43, [(sent, [0])] * 2, clock.now() - timedelta(days=14))
        _round(session_factory, W44, [(sent, [0]), (sent, [])], clock.now() - timedelta(days=7))
        assert _report_now(session_factory, clock.now()).weekly_pulse == {
            "week": W44,
            "sent": 2,
            "answered": 1,
            "response_rate": 50,
        }

    @pytest.mark.parametrize(
        ("deliveries", "expected"),
        [
            pytest.param(
                [(DeliveryState.SENT, [0]), (DeliveryState.SENT, []), (DeliveryState.SENT, [])],
                (3, 1, 33),
                id="one-third",
            ),
            pytest.param(
                [(DeliveryState.SENT, [0, 1]), (DeliveryState.SENT, [2]), (DeliveryState.SENT, [])],
                (3, 2, 67),
                id="two-thirds",
            ),
            pytest.param(
                [(DeliveryState.SENT, [0])] + [(DeliveryState.SENT, [])] * 7,
                (8, 1, 13),
                id="12.5-half-up",
            ),
            pytest.param(
                [
                    (DeliveryState.SENT, [0]),
                    (DeliveryState.SENT, []),
                    (DeliveryState.PENDING, []),
                    (DeliveryState.FAILED, []),
                    (DeliveryState.SKIPPED, []),
                ],
                (2, 1, 50),
                id="only-sent-are-sent",
            ),
            pytest.param(
                [(DeliveryState.PENDING, []), (DeliveryState.SENDING, [])],
                (0, 0, None),
                id="nothing-sent-yet",
            ),
        ],
    )
    def test_response_rate(
        self,
        session_factory: SessionFactory,
        clock: FakeClock,
        deliveries: list[tuple[str, list[int]]],
        expected: tuple[int, int, int | None],
    ) -> None:
        _sync(session_factory, clock.now())
        _round(session_factory, W45, deliveries, clock.now())
        last = _report_now(session_factory, clock.now()).weekly_pulse
        assert last["week"] == W45
        assert (last["sent"], last["answered"], last["response_rate"]) == expected


@pytest.fixture
def mixed(session_factory: SessionFactory, clock: FakeClock) -> Report:
    """IT with a shown pulse, communication and NPS; HR with only hidden weeks; one round."""
    ids = _sync(session_factory, clock.now())
    _pulse(session_factory, ids["it"], W45, [5, 4, 4, 3, 5])
    _answer(
        session_factory,
        ids["it"],
        W44,
        QuestionKind.ICSQ,
        [4, 4, 4, 4, 4],
        IcsqArea.COMMUNICATION,
    )
    _answer(session_factory, ids["it"], W44, QuestionKind.NPS, [10, 10, 9, 8, 0])
    _pulse(session_factory, ids["hr"], W45, [1, 1, 1, 1])
    _answer(
        session_factory,
        ids["hr"],
        W45,
        QuestionKind.ICSQ,
        [2, 2],
        IcsqArea.RESPONSIVENESS,
    )
    sent = DeliveryState.SENT
    _round(session_factory, W45, [(sent, [0]), (sent, []), (sent, []), (sent, [])], clock.now())
    return _report(session_factory, clock.now())


def test_render_csv(mixed: Report) -> None:
    text = render_csv(mixed)
    header = text.splitlines()[0].split(",")
    assert header == CSV_COLUMNS
    assert header[-10:-7] == ["icsq_communication", "icsq_productivity", "icsq_responsiveness"]
    assert header[-7:-5] == ["kudos", "kudos_per_100_handled"]
    # Columns are only ever added, at the end: scripts that read by position keep working.
    assert header[-5:] == [
        "first_response_sla_met",
        "resolution_sla_met",
        "overdue_open",
        "median_first_response_business_seconds",
        "median_resolution_business_seconds",
    ]
    assert {"pulse_score", "pulse_responses", "nps", "nps_responses"} <= set(header)
    rows = {row["key"]: row for row in csv.DictReader(io.StringIO(text))}
    assert list(rows) == ["hr", "it"]
    it, hr = rows["it"], rows["hr"]
    assert (it["pulse_score"], it["pulse_responses"]) == ("4.2", "5")
    assert (it["nps"], it["nps_responses"]) == ("40", "5")
    assert (it["nps_promoters"], it["nps_passives"], it["nps_detractors"]) == ("3", "1", "1")
    assert (it["icsq_communication"], it["icsq_productivity"], it["icsq_responsiveness"]) == (
        "4.0",
        "",
        "",
    )
    assert (hr["pulse_score"], hr["pulse_responses"], hr["nps"], hr["nps_responses"]) == (
        "",
        "0",
        "",
        "0",
    )
    assert (hr["icsq_communication"], hr["icsq_productivity"], hr["icsq_responsiveness"]) == (
        "",
        "",
        "",
    )


def test_render_text(mixed: Report) -> None:
    _, marker, weekly_text = render_text(mixed).partition("Weekly pulse, anonymous")
    assert marker
    assert f"fewer than {K} answers" in weekly_text
    cells = {
        row[0]: row[1:]
        for row in (re.split(r"\s{2,}", line.strip()) for line in weekly_text.splitlines())
        if row[0] in {"Department", "IT", "HR"}
    }
    assert cells["Department"] == [
        "Pulse",
        "NPS",
        "Communication",
        "Productivity",
        "Responsiveness",
    ]
    assert cells["IT"] == ["4.2 (5)", "40 (5)", "4.0 (5)", "-", "-"]
    assert cells["HR"] == ["-", "-", "-", "-", "-"]
    assert weekly_text.endswith(f"Last round {W45}: 4 sent, 1 answered (response rate 25%).\n")


def test_render_text_without_a_round_or_a_rate(
    session_factory: SessionFactory, clock: FakeClock
) -> None:
    _sync(session_factory, clock.now())
    assert render_text(_report_now(session_factory, clock.now())).endswith(
        "No weekly pulse round yet.\n"
    )
    _round(session_factory, W45, [(DeliveryState.PENDING, [])], clock.now())
    assert render_text(_report_now(session_factory, clock.now())).endswith(
        f"Last round {W45}: 0 sent, 0 answered (response rate -).\n"
    )


def test_render_text_shows_the_minimum_in_use(
    session_factory: SessionFactory, clock: FakeClock
) -> None:
    ids = _sync(session_factory, clock.now())
    _pulse(session_factory, ids["it"], W45, [3, 3, 4])
    weekly_text = render_text(_report(session_factory, clock.now(), minimum=3)).partition(
        "Weekly pulse, anonymous"
    )[2]
    assert "fewer than 3 answers" in weekly_text
    it_line = next(line for line in weekly_text.splitlines() if line.startswith("IT"))
    assert re.split(r"\s{2,}", it_line.strip())[1:] == ["3.3 (3)", "-", "-", "-", "-"]
