"""A lead's App Home and `python -m bot report` on a database the size of a large company's.

The database gets BENCH_REQUESTS requests (1,000,000) filed over two years in five workspaces
(ten departments in the measured one, five in each other), mostly resolved, BENCH_RATINGS
ratings (500,000), a weekly round per workspace for BENCH_WEEKS weeks (100) with its deliveries
and BENCH_ANSWERS anonymous answers (2,000,000), comments, and kudos. Rows are bulk inserted
(Core executemany in large batches) and dated back from now, so the command line, which reads
the system clock, sees them as the bot would.

Then, BENCH_RUNS times each: a lead's Home tab built and published through the real services
to a fake Slack (their departments' queues and feedback, their own requests, kudos left), and
the report as `python -m bot report` prints it (the same function, text and JSON), and once as
a real subprocess. Median, p95 and max are printed.

BENCH_DATABASE_URL points it at PostgreSQL (a throwaway database). BENCH_SCALE_SQLITE names a
SQLite file to keep. A database that already holds the rows is measured as it is, without
generating them again: its dates then lag behind now by the time since it was generated. Run
with `make bench`; record figures in RESULTS.md.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import Engine, func, insert, select

from bot.app import sync_departments_at_start
from bot.business_time import BusinessCalendar
from bot.calendar import Week
from bot.cli_output import print_report
from bot.clock import SystemClock
from bot.db import create_db_engine, create_session_factory, migrate, refresh_statistics
from bot.departments import parse_config
from bot.service_levels.rules import elapsed
from bot.services import build_services
from bot.settings import Settings
from bot.slack_client import build_web_client
from models import (
    Department,
    Kudos,
    Rating,
    Request,
    Shoutout,
    WeeklyAnswer,
    WeeklyComment,
    WeeklyDelivery,
    WeeklyRound,
)
from tests.fake_slack import FakeSlack

ROOT = Path(__file__).resolve().parent.parent
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "1000000"))
RATINGS = int(os.environ.get("BENCH_RATINGS", "500000"))
ANSWERS = int(os.environ.get("BENCH_ANSWERS", "2000000"))
WEEKS = int(os.environ.get("BENCH_WEEKS", "100"))
KUDOS = int(os.environ.get("BENCH_KUDOS", "50000"))
RUNS = int(os.environ.get("BENCH_RUNS", "20"))
SPAN = timedelta(days=730)
CHUNK = 20000

# The measured workspace and its lead, who leads (and works in) two of its departments.
TEAM = "T0SCALE0"
TEAMS = [TEAM, "T1OTHER1", "T2OTHER2", "T3OTHER3", "T4OTHER4"]
LEAD = "U00000007"
PEOPLE = {TEAM: 4000, **{team: 1500 for team in TEAMS[1:]}}
# The measured workspace files half of all requests.
TEAM_SHARE = [0.5, 0.125, 0.125, 0.125, 0.125]
DEPARTMENTS = {
    TEAM: ["it", "hr", "facilities", "finance", "legal", "security", "travel", "payroll",
           "procurement", "data"],
    **{team: ["it", "hr", "facilities", "finance", "legal"] for team in TEAMS[1:]},
}  # fmt: skip
LEADS_OF = {"it": [LEAD], "facilities": [LEAD]}
# Departments that keep office hours and promise times; and the one that asks a question.
OFFICE_HOURS = {"timezone": "Europe/Berlin", "hours": "09:00-18:00", "days": "mon-fri"}
CALENDAR = "{ " + ", ".join(f'{name} = "{value}"' for name, value in OFFICE_HOURS.items()) + " }"
SLA = '{ first_response = "30m", resolution = "2d" }'
SERVICE_LEVELS = {"it", "facilities", "security"}
DEVICES = ["Laptop", "Desktop", "Phone", "Monitor", "Printer", "Other"]
COMMENTS = ["Quick and friendly, thanks", "Took a while", "Solved on the first try", "Meh"]


def person(team: str, number: int) -> str:
    return f"U{TEAMS.index(team)}{number:07d}"


def departments_toml(team: str) -> str:
    entries = []
    for n, key in enumerate(DEPARTMENTS[team]):
        agents = [person(team, 100 + 10 * n + k) for k in range(6)]
        lines = [
            "[[departments]]",
            f'key = "{key}"',
            f'name = "{key.title()}"',
            f'channel = "C{TEAMS.index(team)}{n:08d}"',
            f'keywords = ["{key}"]',
            f"agents = {json.dumps(agents)}",
            f"leads = {json.dumps(LEADS_OF.get(key, []) if team == TEAM else [])}",
        ]
        if key == "hr":
            lines.append("private = true")
        if key in SERVICE_LEVELS:
            lines += [f"calendar = {CALENDAR}", f"sla = {SLA}"]
        if key == "it":
            lines += [
                "[[departments.fields]]",
                'key = "device"',
                'label = "Which device?"',
                'type = "select"',
                f"options = {json.dumps(DEVICES)}",
            ]
        entries.append("\n".join(lines))
    return "\n\n".join(entries) + "\n"


def _batches(rows: Iterator[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == CHUNK:
            yield batch
            batch = []
    if batch:
        yield batch


def _insert(engine: Engine, table: Any, rows: Iterator[dict[str, Any]]) -> int:
    count = 0
    for batch in _batches(rows):
        with engine.begin() as connection:
            connection.execute(insert(table), batch)
        count += len(batch)
    return count


def _status(rng: random.Random, age: timedelta) -> str:
    """Recent requests are often still open; old ones hardly ever."""
    draw = rng.random()
    open_share = 0.6 if age < timedelta(days=3) else 0.1 if age < timedelta(days=30) else 0.005
    if draw < open_share:
        return rng.choice(["open", "claimed", "claimed", "waiting"])
    return "cancelled" if draw < open_share + 0.035 else "resolved"


def _requests(
    rng: random.Random, now: datetime, departments: dict[str, list[tuple[int, str]]]
) -> Iterator[dict[str, Any]]:
    start = now - SPAN
    office_hours = BusinessCalendar.parse(
        timezone=OFFICE_HOURS["timezone"], hours=OFFICE_HOURS["hours"], days=OFFICE_HOURS["days"]
    )
    for n in range(REQUESTS):
        created = start + SPAN * ((n + rng.random()) / REQUESTS)
        team = rng.choices(TEAMS, TEAM_SHARE)[0]
        department_id, key = rng.choice(departments[team])
        status = _status(rng, now - created)
        responded = created + timedelta(minutes=rng.lognormvariate(3.2, 1.0))
        resolved = responded + timedelta(hours=rng.lognormvariate(1.5, 1.2))
        if resolved > now and status == "resolved":
            status = "claimed"
        if responded > now or status == "open":
            status, responded = "open", None
        agent = person(team, 100 + rng.randrange(60))
        row = {
            "id": n + 1,
            "team_id": team,
            "department_id": department_id,
            "requester_id": person(team, rng.randrange(PEOPLE[team])),
            "text": f"{key} request {n}: something is not working as it should",
            "urgency": "high" if rng.random() < 0.1 else "normal",
            "status": status,
            "assignee_id": None if status == "open" else agent,
            "version": 1 if status == "open" else 3,
            "idempotency_key": f"command:{n}",
            "card_channel_id": f"C{TEAMS.index(team)}{department_id:08d}",
            "card_ts": f"{created.timestamp():.6f}",
            "created_at": created,
            "updated_at": resolved if status == "resolved" else responded or created,
            "first_response_at": responded,
            "resolved_at": resolved if status == "resolved" else None,
            "closed_by_id": agent if status in ("resolved", "cancelled") else None,
            "private": key == "hr",
            "waiting_since": responded if status == "waiting" else None,
            "paused_seconds": 0,
            "first_response_due_at": None,
            "resolution_due_at": None,
            "answers": None,
        }
        if key in SERVICE_LEVELS:
            row["first_response_due_at"] = created + timedelta(minutes=30)
            row["resolution_due_at"] = created + timedelta(days=2)
        calendar = office_hours if key in SERVICE_LEVELS else None
        ends = {
            "first_response": responded,
            "resolution": resolved if status == "resolved" else None,
        }
        for target, end in ends.items():
            took = None if end is None else elapsed(filed_at=created, until=end, calendar=calendar)
            row[f"{target}_seconds"] = None if took is None else took.seconds
            row[f"{target}_business_seconds"] = None if took is None else took.business_seconds
        if key == "it":
            device = rng.choice(DEVICES)
            row["answers"] = [
                {"key": "device", "label": "Which device?", "type": "select", "value": device}
            ]
        yield row


def _ratings(engine: Engine, rng: random.Random, now: datetime) -> Iterator[dict[str, Any]]:
    resolved = select(
        Request.id,
        Request.team_id,
        Request.department_id,
        Request.requester_id,
        Request.resolved_at,
    ).where(Request.status == "resolved")
    with engine.connect() as connection:
        rows = connection.execute(resolved).all()
    for request_id, team, department_id, requester, resolved_at in rng.sample(
        rows, min(RATINGS, len(rows))
    ):
        rated = min(resolved_at + timedelta(minutes=rng.lognormvariate(3.5, 0.8)), now)
        withdrawn = rng.random() < 0.005
        yield {
            "team_id": team,
            "request_id": request_id,
            "department_id": department_id,
            "requester_id": requester,
            "score": None if withdrawn else rng.choices(range(1, 6), [5, 7, 13, 35, 40])[0],
            "source": "reaction" if rng.random() < 0.3 else "button",
            "comment": rng.choice(COMMENTS) if rng.random() < 0.08 else None,
            "rated_at": None if withdrawn else rated,
            "created_at": rated,
            "updated_at": rated,
        }


def _weekly(
    engine: Engine, rng: random.Random, now: datetime, departments: dict[str, list[Any]]
) -> int:
    """Rounds, deliveries, answers (three per person who answered) and a few comments."""
    this_week = Week.of(now.date())
    weeks = [Week(this_week.monday - timedelta(days=7 * n)) for n in range(WEEKS)]
    # Everyone answering answers all three questions: the same share of each workspace.
    response_rate = min(ANSWERS / 3 / WEEKS / sum(PEOPLE.values()), 1.0)
    answers: list[dict[str, Any]] = []
    comments: list[dict[str, Any]] = []
    answered_count = 0
    for team in TEAMS:
        audience = PEOPLE[team]
        respondents = round(audience * response_rate)
        rounds = [
            {"team_id": team, "week": week.key, "created_at": datetime.combine(
                week.monday, datetime.min.time(), UTC) + timedelta(hours=9)}
            for week in weeks
        ]  # fmt: skip
        with engine.begin() as connection:
            connection.execute(insert(WeeklyRound), rounds)
            ids = dict(
                connection.execute(
                    select(WeeklyRound.week, WeeklyRound.id).where(WeeklyRound.team_id == team)
                ).all()
            )
        for week in weeks:
            area = ["communication", "productivity", "responsiveness"][week.index % 3]
            # Every fourth week asks the NPS question instead of the ICSQ one.
            third = ("nps", None) if week.index % 4 == 0 else ("icsq", area)
            due = rounds[0]["created_at"] - (this_week.monday - week.monday)
            deliveries = []
            for number in range(audience):
                department_id, name = rng.choice(departments[team])
                questions = [
                    {"kind": "pulse", "department_id": None, "department_name": None, "area": None},
                    {"kind": "pulse", "department_id": department_id, "department_name": name,
                     "area": None},
                    {"kind": third[0], "department_id": department_id, "department_name": name,
                     "area": third[1]},
                ]  # fmt: skip
                answered = number < respondents
                deliveries.append(
                    {
                        "round_id": ids[week.key],
                        "team_id": team,
                        "user_id": person(team, number),
                        "state": "sent" if number % 50 else "failed",
                        "due_at": due,
                        "questions": questions,
                        "answered": [0, 1, 2] if answered else [],
                        "channel_id": f"D{number:09d}",
                        "ts": f"{due.timestamp():.6f}",
                    }
                )
                if not answered:
                    continue
                for question in questions:
                    nps = question["kind"] == "nps"
                    answers.append(
                        {
                            "id": uuid.UUID(int=rng.getrandbits(128)).hex,
                            "team_id": team,
                            "week": week.key,
                            "department_id": question["department_id"],
                            "kind": question["kind"],
                            "area": question["area"],
                            "score": rng.randint(0, 10) if nps else rng.randint(1, 5),
                        }
                    )
                if rng.random() < 0.03:
                    comments.append(
                        {
                            "id": uuid.UUID(int=rng.getrandbits(128)).hex,
                            "team_id": team,
                            "week": week.key,
                            "department_id": department_id,
                            "text": rng.choice(COMMENTS),
                        }
                    )
            _insert(engine, WeeklyDelivery, iter(deliveries))
            if len(answers) >= CHUNK:
                answered_count += _insert(engine, WeeklyAnswer, iter(answers))
                answers = []
    answered_count += _insert(engine, WeeklyAnswer, iter(answers))
    _insert(engine, WeeklyComment, iter(comments))
    return answered_count


def _kudos(
    engine: Engine, rng: random.Random, now: datetime, departments: dict[str, list[Any]]
) -> None:
    """Kudos by reaction, and a fifth by shout-out thanking for a request."""
    shoutouts, kudos = [], []
    for n in range(KUDOS):
        team = rng.choices(TEAMS, TEAM_SHARE)[0]
        given = now - SPAN * rng.random()
        row = {
            "team_id": team,
            "giver_id": person(team, rng.randrange(PEOPLE[team])),
            "recipient_id": person(team, 100 + rng.randrange(60)),
            "source": "reaction",
            "given_at": given,
            "reaction_channel_id": "C0GENERAL",
            "reaction_ts": f"{n}.000100",
            "shoutout_id": None,
            "department_id": None,
            "announced_at": given,
        }
        if n % 5 == 0:
            row.update(source="command", reaction_channel_id=None, reaction_ts=None)
            row.update(department_id=rng.choice(departments[team])[0], shoutout_id=n // 5 + 1)
            shoutouts.append(
                {
                    "id": n // 5 + 1,
                    "team_id": team,
                    "giver_id": row["giver_id"],
                    "source": "command",
                    "message": f"Thanks <@{row['recipient_id']}>!",
                    "idempotency_key": f"command:kudos:{n}",
                    "channel_id": "C0KUDOS01",
                    "ts": f"{given.timestamp():.6f}",
                    "created_at": given,
                    "posted_at": given,
                }
            )
        kudos.append(row)
    _insert(engine, Shoutout, iter(shoutouts))
    _insert(engine, Kudos, iter(kudos))


def generate(url: str, settings: Settings, now: datetime) -> None:
    engine = create_db_engine(url)
    sessions = create_session_factory(engine)
    clock = SystemClock()
    with tempfile.TemporaryDirectory() as tmp:
        for team in TEAMS:
            path = Path(tmp) / f"{team}.toml"
            config = parse_config(path, departments_toml(team))
            sync_departments_at_start(
                session_factory=sessions, configs=config.departments, team_id=team, clock=clock
            )
    with engine.connect() as connection:
        rows = connection.execute(select(Department.team_id, Department.id, Department.key))
        departments: dict[str, list[tuple[int, str]]] = {team: [] for team in TEAMS}
        for team, department_id, key in rows:
            departments[team].append((department_id, key))
    rng = random.Random(20261130)
    steps: list[tuple[str, Callable[[], int | None]]] = [
        ("requests", lambda: _insert(engine, Request, _requests(rng, now, departments))),
        ("ratings", lambda: _insert(engine, Rating, _ratings(engine, rng, now))),
        ("weekly rounds", lambda: _weekly(engine, rng, now, departments)),
        ("kudos", lambda: _kudos(engine, rng, now, departments)),
    ]
    for label, step in steps:
        started = time.perf_counter()
        count = step()
        took = time.perf_counter() - started
        print(f"  {label}: {'' if count is None else f'{count:,} rows, '}{took:.0f} s", flush=True)
    # Statistics for the query planner, as autovacuum and the bot's ticker keep them.
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM ANALYZE")
    else:
        refresh_statistics(sessions)
    engine.dispose()


def _figures(label: str, times: list[float]) -> None:
    ordered = sorted(times)
    p95 = ordered[max(int(len(ordered) * 0.95) - 1, 0)]
    print(
        f"  {label}: median {statistics.median(times):,.0f} ms, p95 {p95:,.0f} ms, "
        f"max {max(times):,.0f} ms over {len(times)} runs",
        flush=True,
    )


def _timed(work: Callable[[], object], runs: int = RUNS) -> list[float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        times.append((time.perf_counter() - started) * 1000)
    return times


class SteppingClock:
    """The system clock, moved on by `step` after each Home drawn. A lead's figures are kept
    for the minute (the last 30 days) and the hour (the 30 before): with a new hour each run
    both are read anew, with a new minute the last 30 days alone."""

    def __init__(self, step: timedelta) -> None:
        self._offset = timedelta()
        self._step = step

    def now(self) -> datetime:
        return datetime.now(UTC) + self._offset

    def step(self) -> None:
        self._offset += self._step


def _homes(settings: Settings, step: timedelta) -> list[float]:
    fake = FakeSlack(team_id=TEAM, record_calls=False).start()
    client = build_web_client(token="xoxb-bench", base_url=fake.api_url)
    clock = SteppingClock(step)
    services = build_services(settings, client=client, clock=clock)

    def draw() -> None:
        services.home.publish(team_id=TEAM, user_id=LEAD)
        clock.step()

    home = _timed(draw)
    fake.stop()
    assert fake.call_counts.get("views.publish") == len(home)
    return home


def measure(url: str, settings: Settings) -> None:
    _figures("lead's Home, both periods read anew", _homes(settings, timedelta(hours=1)))
    _figures("lead's Home, the last 30 days read anew", _homes(settings, timedelta(minutes=1)))
    _figures("lead's Home, again within the minute", _homes(settings, timedelta()))
    for output_format in ("text", "json"):
        with contextlib.redirect_stdout(io.StringIO()):
            report = _timed(partial(print_report, settings, days=30, output_format=output_format))
        _figures(f"report ({output_format}), as the command line runs it", report)
    environment = {**os.environ, "DATABASE_URL": url, "PYTHONPATH": str(ROOT)}
    with tempfile.TemporaryDirectory() as cwd:
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "bot", "report"],
            cwd=cwd,
            env=environment,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        print(f"  python -m bot report, one run: {time.perf_counter() - started:.2f} s")


def main() -> None:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY"):
        os.environ.pop(name, None)
    with tempfile.TemporaryDirectory() as tmp:
        kept = os.environ.get("BENCH_SCALE_SQLITE")
        url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{kept or f'{tmp}/scale.db'}"
        settings = Settings(
            _env_file=None,
            database_url=url,
            slack_bot_token="xoxb-bench",
            kudos_channel="C0KUDOS01",
            slack_posts_per_minute=0,
        )
        migrate(url)
        engine = create_db_engine(url)
        with engine.connect() as connection:
            held = connection.scalar(select(func.count()).select_from(Request))
        engine.dispose()
        backend = engine.dialect.name
        if held:
            print(f"{backend}: measuring the {held:,} requests already in the database")
        else:
            print(f"{backend}: generating the database", flush=True)
            generate(url, settings, datetime.now(UTC))
        measure(url, settings)


if __name__ == "__main__":
    main()
