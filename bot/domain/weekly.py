"""The weekly pulse's rules: which week it is, what each person is asked, when their DM is due,
and which answers are numerous enough to report without exposing anyone.

Pure: dates and times come in, decisions come out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from bot.domain.metrics import mean_rating
from bot.domain.satisfaction import DAY_NAMES, RuleError, local_moment, zone_or_utc

ANONYMITY_FLOOR = 3
DEFAULT_ANONYMITY_MIN_RESPONSES = 5
DEPARTMENT_QUESTIONS_MAX = 2
NPS_EVERY_WEEKS = 4
REMIND_AFTER = timedelta(days=2)
CLOSE_AFTER = timedelta(days=5)
# A week, its DMs' answer window, and a day for the time zones furthest behind UTC.
RESULTS_FINAL_AFTER = timedelta(days=7) + CLOSE_AFTER + timedelta(days=1)
USED_DEPARTMENTS_WINDOW = timedelta(days=7)
FULL_DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_WEEK_KEY = re.compile(r"^([0-9]{4})-W([0-9]{2})$")
# Week 0 is the week of Monday 1970-01-05, so rotations are stable across years.
_EPOCH_MONDAY = date(1970, 1, 5)


class IcsqArea(StrEnum):
    COMMUNICATION = "communication"
    PRODUCTIVITY = "productivity"
    RESPONSIVENESS = "responsiveness"


ICSQ_ROTATION = (IcsqArea.COMMUNICATION, IcsqArea.PRODUCTIVITY, IcsqArea.RESPONSIVENESS)


class QuestionKind(StrEnum):
    PULSE = "pulse"
    ICSQ = "icsq"
    NPS = "nps"


@dataclass(frozen=True)
class Week:
    """A Monday-to-Sunday week, named like ISO 8601 (`2026-W48`)."""

    monday: date

    @classmethod
    def of(cls, day: date) -> Week:
        return cls(day - timedelta(days=day.weekday()))

    @classmethod
    def parse(cls, key: str) -> Week:
        match = _WEEK_KEY.match(key)
        try:
            if match is None:
                raise ValueError(key)
            return cls(date.fromisocalendar(int(match.group(1)), int(match.group(2)), 1))
        except ValueError:
            raise RuleError(f"'{key}' is not a week like 2026-W48") from None

    @property
    def key(self) -> str:
        year, number, _ = self.monday.isocalendar()
        return f"{year}-W{number:02d}"

    @property
    def index(self) -> int:
        return (self.monday - _EPOCH_MONDAY).days // 7

    @property
    def icsq_area(self) -> IcsqArea:
        return ICSQ_ROTATION[self.index % len(ICSQ_ROTATION)]

    @property
    def asks_nps(self) -> bool:
        return self.index % NPS_EVERY_WEEKS == 0

    def day(self, weekday: int) -> date:
        return self.monday + timedelta(days=weekday)

    @property
    def final_at(self) -> datetime:
        """When no more answers can come in for this week: its last DM, due as late as
        Sunday in the last time zone, has closed. Only then may its answers be reported, or
        two reports a day apart could differ by a single answer."""
        return datetime.combine(self.monday, time(), UTC) + RESULTS_FINAL_AFTER


@dataclass(frozen=True)
class UsedDepartment:
    """A department the person filed requests with in the last week, and how many."""

    department_id: int
    name: str
    requests: int


@dataclass(frozen=True)
class Question:
    kind: QuestionKind
    # None: about internal service in general (the person used no department this week).
    department_id: int | None
    department_name: str | None
    area: IcsqArea | None = None

    @property
    def scale(self) -> range:
        return range(0, 11) if self.kind is QuestionKind.NPS else range(1, 6)


def select_questions(week: Week, used: Sequence[UsedDepartment]) -> list[Question]:
    """At most three: the week's pulse for each of the (at most two) most used departments,
    then the rotating ICSQ question about the most used one, or, every fourth week, the NPS
    question about it. Someone who used no department gets only the rotating question,
    about internal service in general."""
    ranked = sorted(used, key=lambda d: (-d.requests, d.name, d.department_id))
    if not ranked:
        return [Question(QuestionKind.ICSQ, None, None, week.icsq_area)]
    questions = [
        Question(QuestionKind.PULSE, d.department_id, d.name)
        for d in ranked[:DEPARTMENT_QUESTIONS_MAX]
    ]
    top = ranked[0]
    if week.asks_nps:
        questions.append(Question(QuestionKind.NPS, top.department_id, top.name))
    else:
        questions.append(Question(QuestionKind.ICSQ, top.department_id, top.name, week.icsq_area))
    return questions


@dataclass(frozen=True)
class WeeklySchedule:
    """When the weekly pulse is due: a day of the week and a time in each person's zone."""

    weekday: int
    at: time

    @classmethod
    def parse(cls, day: str, at: str) -> WeeklySchedule:
        word = day.strip().lower()
        name = word[:3]
        if name not in DAY_NAMES or word not in (name, FULL_DAY_NAMES[DAY_NAMES.index(name)]):
            raise RuleError(f"'{day}' is not a day of the week like monday or mon")
        hours, sep, minutes = at.strip().partition(":")
        if not (sep and hours.isascii() and hours.isdigit() and minutes.isascii()):
            raise RuleError(f"'{at}' is not a time like 10:00")
        if not minutes.isdigit() or int(hours) > 23 or int(minutes) > 59 or len(minutes) != 2:
            raise RuleError(f"'{at}' is not a time like 10:00")
        return cls(DAY_NAMES.index(name), time(int(hours), int(minutes)))

    def due_at(self, week: Week, timezone: str | None) -> datetime:
        """This week's moment for someone in `timezone` (UTC when unknown), in UTC."""
        zone = zone_or_utc(timezone)
        return local_moment(week.day(self.weekday), self.at, zone).astimezone(UTC)


def nps(scores: Sequence[int]) -> int | None:
    """% promoters (9-10) minus % detractors (0-6), as a whole number; None without answers."""
    if not scores:
        return None
    promoters = sum(1 for score in scores if score >= 9)
    detractors = sum(1 for score in scores if score <= 6)
    return round_half_up(100 * (promoters - detractors) / len(scores))


def nps_counts(scores: Sequence[int]) -> tuple[int, int, int]:
    """(promoters, passives, detractors)."""
    promoters = sum(1 for score in scores if score >= 9)
    detractors = sum(1 for score in scores if score <= 6)
    return promoters, len(scores) - promoters - detractors, detractors


def round_half_up(value: float) -> int:
    """Half away from zero, so -12.5 is -13 and 12.5 is 13 (NPS can be negative)."""
    magnitude = int(Decimal(repr(abs(value))).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    return magnitude if value >= 0 else -magnitude


def countable(scores_by_week: Mapping[str, Sequence[int]], *, minimum: int) -> list[int]:
    """The answers that may be reported: those of weeks with at least `minimum` of them.

    A smaller week is left out whole, so results never rest on fewer than `minimum` people,
    and two reports over different windows never differ by fewer than `minimum` answers:
    no subtraction between them can single anyone out.
    """
    return [
        score for scores in scores_by_week.values() if len(scores) >= minimum for score in scores
    ]


@dataclass(frozen=True)
class WeeklyResults:
    """One department's weekly pulse results; None where nothing may be shown."""

    pulse_score: float | None = None
    pulse_responses: int = 0
    nps: int | None = None
    nps_responses: int = 0
    nps_promoters: int = 0
    nps_passives: int = 0
    nps_detractors: int = 0
    icsq: dict[str, float | None] = field(
        default_factory=lambda: {area.value: None for area in ICSQ_ROTATION}
    )
    icsq_responses: dict[str, int] = field(
        default_factory=lambda: {area.value: 0 for area in ICSQ_ROTATION}
    )
    # Comments of the weeks whose pulse question counts, so none comes from a smaller group.
    comments: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class WeeklyAnswerRow:
    week: str
    kind: QuestionKind
    area: IcsqArea | None
    score: int


def weekly_results(
    answers: Iterable[WeeklyAnswerRow],
    *,
    minimum: int,
    comments_by_week: Mapping[str, Sequence[str]] | None = None,
) -> WeeklyResults:
    by_question: dict[tuple[QuestionKind, IcsqArea | None], dict[str, list[int]]] = {}
    for answer in answers:
        weeks = by_question.setdefault((answer.kind, answer.area), {})
        weeks.setdefault(answer.week, []).append(answer.score)

    def scores(kind: QuestionKind, area: IcsqArea | None = None) -> list[int]:
        return countable(by_question.get((kind, area), {}), minimum=minimum)

    pulse = scores(QuestionKind.PULSE)
    nps_scores = scores(QuestionKind.NPS)
    promoters, passives, detractors = nps_counts(nps_scores)
    icsq = {area: scores(QuestionKind.ICSQ, area) for area in ICSQ_ROTATION}
    pulse_weeks = by_question.get((QuestionKind.PULSE, None), {})
    shown_comments = [
        text
        for week, texts in (comments_by_week or {}).items()
        if len(pulse_weeks.get(week, ())) >= minimum
        for text in texts
    ]
    return WeeklyResults(
        pulse_score=mean_rating(pulse),
        pulse_responses=len(pulse),
        nps=nps(nps_scores),
        nps_responses=len(nps_scores),
        nps_promoters=promoters,
        nps_passives=passives,
        nps_detractors=detractors,
        icsq={area.value: mean_rating(values) for area, values in icsq.items()},
        icsq_responses={area.value: len(values) for area, values in icsq.items()},
        comments=shown_comments,
    )
