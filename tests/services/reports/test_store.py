"""The department report on a real database session (SQLite, or TEST_DATABASE_URL)."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from bot.db import SessionFactory
from bot.departments import parse_departments
from bot.reports.formats import CSV_COLUMNS, render_csv, render_json, render_text
from bot.reports.rules import Report
from bot.reports.store import build_report
from bot.requests import store as service
from bot.requests.departments import store as department_store
from bot.requests.rules import RequestAction, RequestSnapshot, Role, Urgency
from bot.satisfaction import store as ratings
from bot.text import format_duration
from tests.fake_clock import FakeClock

TEAM = "T0TEST"
REQUESTER = "U0REQUESTER"
AGENT = "U0AGENT"
DAYS = 7
AGENTS = frozenset({Role.AGENT})
REQUESTERS = frozenset({Role.REQUESTER})

DEPARTMENT_ENTRIES = {
    "it": ("IT", "C0IT000001"),
    "hr": ("HR", "C0HR000001"),
    "fac": ("Facilities", "C0FAC00001"),
    "legacy": ("Legacy", "C0LEG00001"),
    "old": ("Old", "C0OLD00001"),
}
REQUIRED_KEYS = {
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
}


def _departments_file(keys: list[str]) -> str:
    return "\n".join(
        f'[[departments]]\nkey = "{key}"\nname = "{DEPARTMENT_ENTRIES[key][0]}"\n'
        f'channel = "{DEPARTMENT_ENTRIES[key][1]}"\n'
        for key in keys
    )


def _sync(session_factory: SessionFactory, keys: list[str], now: datetime) -> None:
    configs = parse_departments(Path("departments.toml"), _departments_file(keys))
    with session_factory.begin() as session:
        department_store.sync_departments(session=session, team_id=TEAM, configs=configs, now=now)


class Desk:
    """Files and moves requests at chosen moments through the request and rating services."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.count = 0

    def file(self, department: str, at: datetime) -> RequestSnapshot:
        self.count += 1
        return service.file_request(
            session=self.session,
            team_id=TEAM,
            requester_id=REQUESTER,
            department_key=department,
            text=f"request {self.count}",
            urgency=Urgency.NORMAL,
            idempotency_key=f"key-{self.count}",
            now=at,
        ).request

    def act(self, request: RequestSnapshot, action: RequestAction, at: datetime) -> RequestSnapshot:
        roles = REQUESTERS if action in (RequestAction.CANCEL, RequestAction.REOPEN) else AGENTS
        actor = REQUESTER if roles is REQUESTERS else AGENT
        return service.transition_request(
            session=self.session,
            request=request,
            actor_id=actor,
            action=action,
            roles=roles,
            now=at,
        ).request

    def rate(
        self,
        request: RequestSnapshot,
        score: int,
        at: datetime,
        *,
        withdraw_at: datetime | None = None,
    ) -> None:
        pulse = ratings.schedule_pulse(
            session=self.session, request=request, delay=timedelta(0), now=at
        )
        ratings.apply_reaction(
            session=self.session,
            pulse=pulse,
            emoji="emoji",
            score=score,
            added=True,
            event_ts=None,
            now=at,
        )
        if withdraw_at is not None:
            change = ratings.apply_reaction(
                session=self.session,
                pulse=pulse,
                emoji="emoji",
                score=score,
                added=False,
                event_ts=None,
                now=withdraw_at,
            )
            assert change.after is None


def _by_key(report: Report) -> dict[str, dict[str, object]]:
    return {d.key: json.loads(json.dumps(d.as_json())) for d in report.departments}


@pytest.fixture
def report(session_factory: SessionFactory, clock: FakeClock) -> Report:
    """A week of activity: IT busy, HR with one open request, Facilities idle, Legacy
    deactivated after a request in the window, Old deactivated with nothing."""
    since = clock.now()
    now = since + timedelta(days=DAYS)
    before = since - timedelta(days=3)
    _sync(session_factory, list(DEPARTMENT_ENTRIES), before)
    minute, hour, day = timedelta(minutes=1), timedelta(hours=1), timedelta(days=1)
    with session_factory.begin() as session:
        desk = Desk(session)
        # Filed before the window; resolved and rated inside it: only the rating counts.
        early = desk.file("it", since - hour)
        early = desk.act(early, RequestAction.RESOLVE, since + hour)
        desk.rate(early, 5, since + 2 * hour)
        # Filed, resolved and rated before the window: nothing counts.
        old = desk.file("it", before)
        old = desk.act(old, RequestAction.RESOLVE, before + hour)
        desk.rate(old, 1, since - minute)
        # Filed exactly at the window's start: claimed after 10 minutes, resolved after 2 hours.
        first = desk.file("it", since)
        first = desk.act(first, RequestAction.CLAIM, since + 10 * minute)
        first = desk.act(first, RequestAction.RESOLVE, since + 2 * hour)
        desk.rate(first, 4, since + 3 * hour)
        # Claimed after 30 minutes, resolved after 4 hours, rated 2.
        second = desk.file("it", since + day)
        second = desk.act(second, RequestAction.CLAIM, since + day + 30 * minute)
        second = desk.act(second, RequestAction.RESOLVE, since + day + 4 * hour)
        desk.rate(second, 2, since + day + 5 * hour)
        # Resolved straight away after an hour: that is also its first response.
        third = desk.file("it", since + 2 * day)
        third = desk.act(third, RequestAction.RESOLVE, since + 2 * day + hour)
        desk.rate(third, 1, since + 2 * day + 2 * hour, withdraw_at=since + 2 * day + 3 * hour)
        # Still claimed, first response after 20 minutes.
        claimed = desk.file("it", since + 3 * day)
        desk.act(claimed, RequestAction.CLAIM, since + 3 * day + 20 * minute)
        # Still open, never answered.
        desk.file("it", since + 3 * day + hour)
        # Cancelled: counted as a request, neither open nor resolved.
        cancelled = desk.file("it", since + 4 * day)
        desk.act(cancelled, RequestAction.CANCEL, since + 4 * day + minute)
        # Filed and rated after the report's moment.
        late = desk.file("it", now + minute)
        late = desk.act(late, RequestAction.RESOLVE, now + 2 * minute)
        desk.rate(late, 5, now + 3 * minute)

        desk.file("hr", since + 5 * day)
        legacy = desk.file("legacy", since + 2 * day)
        desk.act(legacy, RequestAction.RESOLVE, since + 2 * day + 90 * minute)
    _sync(session_factory, ["it", "hr", "fac"], since + 6 * day)
    with session_factory() as session:
        return build_report(session=session, now=now, days=DAYS)


def test_report_window_and_departments(report: Report, clock: FakeClock) -> None:
    assert report.since == clock.now()
    assert report.until == clock.now() + timedelta(days=DAYS)
    assert report.days == DAYS
    assert [d.key for d in report.departments] == ["fac", "hr", "it", "legacy"]


def test_report_counts_requests_filed_in_the_window(report: Report) -> None:
    counts = {d.key: (d.requests, d.open, d.resolved) for d in report.departments}
    assert counts == {"it": (6, 2, 3), "hr": (1, 1, 0), "fac": (0, 0, 0), "legacy": (1, 0, 1)}


def test_report_medians_and_p90_in_seconds(report: Report) -> None:
    it = _by_key(report)["it"]
    # First responses 600, 1800, 3600 and 1200 s; resolutions 7200, 14400 and 3600 s.
    assert it["median_first_response_seconds"] == 1500.0
    assert it["p90_first_response_seconds"] == pytest.approx(3060.0)
    assert it["median_resolution_seconds"] == 7200.0
    assert it["p90_resolution_seconds"] == pytest.approx(12960.0)
    legacy = _by_key(report)["legacy"]
    assert legacy["median_first_response_seconds"] == legacy["median_resolution_seconds"] == 5400


def test_report_ratings_are_those_given_in_the_window(report: Report) -> None:
    it = _by_key(report)["it"]
    # 5 (request filed before the window), 4 and 2; the withdrawn 1, the 1 given before the
    # window and the 5 given after it do not count.
    assert (it["ratings"], it["csat"], it["avg_rating"]) == (3, 67, 3.7)


@pytest.mark.parametrize("key", ["hr", "fac", "legacy"])
def test_departments_without_data_report_none_not_zero(report: Report, key: str) -> None:
    department = _by_key(report)[key]
    assert department["csat"] is None
    assert department["avg_rating"] is None
    assert department["ratings"] == 0
    if key != "legacy":
        assert department["median_first_response_seconds"] is None
        assert department["median_resolution_seconds"] is None
        assert department["p90_first_response_seconds"] is None
        assert department["p90_resolution_seconds"] is None


def test_render_json(report: Report) -> None:
    parsed = json.loads(render_json(report))
    assert parsed["days"] == DAYS
    assert datetime.fromisoformat(parsed["since"]) == report.since
    assert datetime.fromisoformat(parsed["until"]) == report.until
    departments = {d["key"]: d for d in parsed["departments"]}
    assert list(departments) == ["fac", "hr", "it", "legacy"]
    for department in parsed["departments"]:
        assert set(department) >= REQUIRED_KEYS
        flattened = {key for key in CSV_COLUMNS if not key.startswith("icsq_")}
        # The forms' choices are a table of their own, and CSV columns of their own.
        assert set(department) == flattened | {
            "icsq",
            "icsq_responses",
            "comments",
            "field_options",
            # A list per department, like the comments: not a CSV column.
            "shared_updates",
        }
    assert departments["fac"] == {
        "key": "fac",
        "name": "Facilities",
        "requests": 0,
        "open": 0,
        "resolved": 0,
        "median_first_response_seconds": None,
        "median_resolution_seconds": None,
        "csat": None,
        "ratings": 0,
        "avg_rating": None,
        "p90_first_response_seconds": None,
        "p90_resolution_seconds": None,
        "team_id": TEAM,
        "pulse_score": None,
        "pulse_responses": 0,
        "nps": None,
        "nps_responses": 0,
        "nps_promoters": 0,
        "nps_passives": 0,
        "nps_detractors": 0,
        "icsq": {"communication": None, "productivity": None, "responsiveness": None},
        "icsq_responses": {"communication": 0, "productivity": 0, "responsiveness": 0},
        "comments": [],
        "kudos": 0,
        "kudos_per_100_handled": None,
        "first_response_sla_met": None,
        "resolution_sla_met": None,
        "overdue_open": 0,
        "median_first_response_business_seconds": None,
        "median_resolution_business_seconds": None,
        "field_options": {},
        "shared_updates": [],
    }
    assert parsed["weekly_pulse"] == {
        "week": None,
        "sent": 0,
        "answered": 0,
        "response_rate": None,
    }
    it = departments["it"]
    assert (it["requests"], it["open"], it["resolved"]) == (6, 2, 3)
    assert (it["csat"], it["ratings"], it["avg_rating"]) == (67, 3, 3.7)
    assert it["median_first_response_seconds"] == 1500.0


def test_render_csv(report: Report) -> None:
    text = render_csv(report)
    assert text.splitlines()[0] == ",".join(CSV_COLUMNS)
    assert set(CSV_COLUMNS) >= REQUIRED_KEYS
    rows = {row["key"]: row for row in csv.DictReader(io.StringIO(text))}
    assert list(rows) == ["fac", "hr", "it", "legacy"]
    hr = rows["hr"]
    assert (hr["requests"], hr["open"], hr["resolved"], hr["ratings"]) == ("1", "1", "0", "0")
    for column in (
        "median_first_response_seconds",
        "median_resolution_seconds",
        "csat",
        "avg_rating",
        "p90_first_response_seconds",
        "p90_resolution_seconds",
    ):
        assert hr[column] == ""
    it = rows["it"]
    assert (it["csat"], it["avg_rating"], it["ratings"]) == ("67", "3.7", "3")
    assert float(it["median_resolution_seconds"]) == 7200.0


def test_render_text(report: Report) -> None:
    text, _, weekly_text = render_text(report).partition("Weekly pulse, anonymous")
    assert text.startswith(f"Last {DAYS} days (")
    assert "No weekly pulse round yet." in weekly_text
    rows = {line.split()[0]: line.split()[1:] for line in text.splitlines() if line.strip()}
    assert rows["HR"] == ["1", "1", "0", "-", "-", "-", "0", "-", "-", "0", "0"]
    assert rows["Facilities"] == ["0", "0", "0", "-", "-", "-", "0", "-", "-", "0", "0"]
    assert rows["IT"] == ["6", "2", "3", "25m", "2h", "00m", "67%", "3", "3.7", "-", "0", "0"]
    assert rows["Legacy"] == ["1", "0", "1", "1h", "30m", "1h", "30m", "-", "0", "-", "-", "0", "0"]
    assert "Old" not in rows


def test_render_text_without_departments(session_factory: SessionFactory, clock: FakeClock) -> None:
    with session_factory() as session:
        report = build_report(session=session, now=clock.now(), days=DAYS)
    assert report.departments == []
    assert render_text(report).endswith("No departments yet.\n")
    assert json.loads(render_json(report))["departments"] == []
    assert render_csv(report) == ",".join(CSV_COLUMNS) + "\n"


@pytest.mark.parametrize(
    ("filed", "counted"),
    [
        pytest.param(timedelta(seconds=-1), False, id="just-before-since"),
        pytest.param(timedelta(0), True, id="at-since"),
        pytest.param(timedelta(days=DAYS) - timedelta(seconds=1), True, id="just-before-now"),
        pytest.param(timedelta(days=DAYS), True, id="at-now"),
        pytest.param(timedelta(days=DAYS, seconds=1), False, id="just-after-now"),
    ],
)
def test_request_window_edges(
    session_factory: SessionFactory, clock: FakeClock, filed: timedelta, counted: bool
) -> None:
    since = clock.now()
    _sync(session_factory, ["it"], since - timedelta(days=1))
    with session_factory.begin() as session:
        Desk(session).file("it", since + filed)
    with session_factory() as session:
        [it] = build_report(
            session=session, now=since + timedelta(days=DAYS), days=DAYS
        ).departments
    assert (it.requests, it.open) == ((1, 1) if counted else (0, 0))


@pytest.mark.parametrize(
    ("rated", "counted"),
    [
        pytest.param(timedelta(seconds=-1), False, id="just-before-since"),
        pytest.param(timedelta(0), True, id="at-since"),
        pytest.param(timedelta(days=DAYS) - timedelta(seconds=1), True, id="just-before-now"),
        pytest.param(timedelta(days=DAYS), True, id="at-now"),
        pytest.param(timedelta(days=DAYS, seconds=1), False, id="just-after-now"),
    ],
)
def test_rating_window_edges(
    session_factory: SessionFactory, clock: FakeClock, rated: timedelta, counted: bool
) -> None:
    since = clock.now()
    filed_at = since - timedelta(days=2)
    _sync(session_factory, ["it"], filed_at)
    with session_factory.begin() as session:
        desk = Desk(session)
        request = desk.act(
            desk.file("it", filed_at), RequestAction.RESOLVE, filed_at + timedelta(hours=1)
        )
        desk.rate(request, 3, since + rated)
    with session_factory() as session:
        [it] = build_report(
            session=session, now=since + timedelta(days=DAYS), days=DAYS
        ).departments
    assert (it.ratings, it.csat, it.avg_rating) == ((1, 0, 3.0) if counted else (0, None, None))


def test_a_changed_rating_counts_once_with_its_new_score(
    session_factory: SessionFactory, clock: FakeClock
) -> None:
    since = clock.now()
    _sync(session_factory, ["it"], since)
    with session_factory.begin() as session:
        desk = Desk(session)
        request = desk.act(
            desk.file("it", since), RequestAction.RESOLVE, since + timedelta(hours=1)
        )
        pulse = ratings.schedule_pulse(
            session=session, request=request, delay=timedelta(0), now=since + timedelta(hours=1)
        )
        for score, hours in ((1, 2), (5, 3)):
            ratings.set_rating(
                session=session,
                pulse=pulse,
                score=score,
                now=since + timedelta(hours=hours),
            )
    with session_factory() as session:
        [it] = build_report(session=session, now=since + timedelta(days=1), days=1).departments
    assert (it.ratings, it.csat, it.avg_rating) == (1, 100, 5.0)


@pytest.mark.parametrize(
    ("later", "counted"),
    [
        pytest.param("change", (1, 100, 5.0), id="changed-in-window"),
        pytest.param("comment", (0, None, None), id="commented-in-window"),
    ],
)
def test_a_rating_counts_when_its_latest_answer_was_given(
    session_factory: SessionFactory,
    clock: FakeClock,
    later: str,
    counted: tuple[int, int | None, float | None],
) -> None:
    since = clock.now()
    filed_at = since - timedelta(days=3)
    _sync(session_factory, ["it"], filed_at)
    with session_factory.begin() as session:
        desk = Desk(session)
        request = desk.file("it", filed_at)
        request = desk.act(request, RequestAction.RESOLVE, filed_at + timedelta(hours=1))
        pulse = ratings.schedule_pulse(
            session=session, request=request, delay=timedelta(0), now=filed_at
        )
        ratings.set_rating(
            session=session,
            pulse=pulse,
            score=1,
            now=since - timedelta(days=1),
        )
        if later == "change":
            ratings.set_rating(
                session=session,
                pulse=pulse,
                score=5,
                now=since + timedelta(hours=1),
            )
        else:
            ratings.set_comment(
                session=session, pulse=pulse, comment="fine", now=since + timedelta(hours=1)
            )
    with session_factory() as session:
        [it] = build_report(session=session, now=since + timedelta(days=1), days=1).departments
    assert (it.ratings, it.csat, it.avg_rating) == counted


def test_reopened_requests_keep_first_response_and_time_their_last_resolution(
    session_factory: SessionFactory, clock: FakeClock
) -> None:
    since = clock.now()
    minute, hour = timedelta(minutes=1), timedelta(hours=1)
    _sync(session_factory, ["it"], since)
    with session_factory.begin() as session:
        desk = Desk(session)
        twice = desk.file("it", since)
        twice = desk.act(twice, RequestAction.CLAIM, since + 10 * minute)
        twice = desk.act(twice, RequestAction.UNCLAIM, since + 20 * minute)
        twice = desk.act(twice, RequestAction.CLAIM, since + 40 * minute)
        twice = desk.act(twice, RequestAction.RESOLVE, since + hour)
        twice = desk.act(twice, RequestAction.REOPEN, since + 2 * hour)
        desk.act(twice, RequestAction.RESOLVE, since + 5 * hour)
        reopened = desk.file("it", since + hour)
        reopened = desk.act(reopened, RequestAction.RESOLVE, since + 2 * hour)
        desk.act(reopened, RequestAction.REOPEN, since + 3 * hour)
    with session_factory() as session:
        [it] = build_report(session=session, now=since + timedelta(days=1), days=1).departments
    assert (it.requests, it.open, it.resolved) == (2, 1, 1)
    assert it.median_first_response_seconds == (600 + 3600) / 2
    assert it.median_resolution_seconds == it.p90_resolution_seconds == 5 * 3600


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (None, "-"),
        (0, "0s"),
        (0.9, "0s"),
        (45, "45s"),
        (59.9, "59s"),
        (60, "1m"),
        (125, "2m"),
        (3599, "59m"),
        (3600, "1h 00m"),
        (3660, "1h 01m"),
        (5400, "1h 30m"),
        (11100, "3h 05m"),
        (86399, "23h 59m"),
        (86400, "1d 0h"),
        (187200, "2d 4h"),
        (90061, "1d 1h"),
    ],
)
def test_format_duration(seconds: float | None, text: str) -> None:
    assert format_duration(seconds) == text
