"""The weekly pulse's rules: which week it is, what each person is asked, when their DM is due,
and which answers are numerous enough to report without exposing anyone.

Pure: dates and times come in, decisions come out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from enum import StrEnum

from bot.calendar import Week
from bot.metrics import mean_rating, nps, nps_counts

ANONYMITY_FLOOR = 3
DEFAULT_ANONYMITY_MIN_RESPONSES = 5
DEPARTMENT_QUESTIONS_MAX = 2
NPS_EVERY_WEEKS = 4
REMIND_AFTER = timedelta(days=2)
CLOSE_AFTER = timedelta(days=5)
# A week, its DMs' answer window, and a day for the time zones furthest behind UTC.
RESULTS_FINAL_AFTER = timedelta(days=7) + CLOSE_AFTER + timedelta(days=1)
USED_DEPARTMENTS_WINDOW = timedelta(days=7)


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
        return [Question(QuestionKind.ICSQ, None, None, icsq_area(week))]
    questions = [
        Question(QuestionKind.PULSE, d.department_id, d.name)
        for d in ranked[:DEPARTMENT_QUESTIONS_MAX]
    ]
    top = ranked[0]
    if asks_nps(week):
        questions.append(Question(QuestionKind.NPS, top.department_id, top.name))
    else:
        questions.append(Question(QuestionKind.ICSQ, top.department_id, top.name, icsq_area(week)))
    return questions


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
    # How many gave this answer that week: a report counts them in the database.
    count: int = 1


def weekly_results(
    answers: Iterable[WeeklyAnswerRow],
    *,
    minimum: int,
    comments_by_week: Mapping[str, Sequence[str]] | None = None,
) -> WeeklyResults:
    by_question: dict[tuple[QuestionKind, IcsqArea | None], dict[str, list[int]]] = {}
    for answer in answers:
        weeks = by_question.setdefault((answer.kind, answer.area), {})
        weeks.setdefault(answer.week, []).extend([answer.score] * answer.count)

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


def icsq_area(week: Week) -> IcsqArea:
    """The ICSQ area this week's pulse asks about, in rotation."""
    return ICSQ_ROTATION[week.index % len(ICSQ_ROTATION)]


def asks_nps(week: Week) -> bool:
    """Every fourth week asks the NPS question instead of the ICSQ one."""
    return week.index % NPS_EVERY_WEEKS == 0


def results_final_at(week: Week) -> datetime:
    """When no more answers can come in for this week: its last DM, due as late as Sunday in
    the last time zone, has closed. Only then may its answers be reported, or two reports a
    day apart could differ by a single answer."""
    return datetime.combine(week.monday, time(), UTC) + RESULTS_FINAL_AFTER


class WeeklyJob(StrEnum):
    DELIVER = "weekly.deliver"
    START_ROUND = "weekly.start_round"
    REMIND = "weekly.remind"
    # Releases the week's last pending answers and its comments when its answers close.
    RELEASE = "weekly.release"
    # A lead's reply to an anonymous comment, sent to its sealed writer once.
    REPLY = "weekly.reply"


# A comment about the teams that served the person in general, not about one department.
GENERAL_TOPIC = "general"


class DeliveryState(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    # Opted out between the round's start and their DM.
    SKIPPED = "skipped"


@dataclass(frozen=True)
class RoundSnapshot:
    id: int
    team_id: str
    week: Week


@dataclass(frozen=True)
class DeliverySnapshot:
    id: int
    round_id: int
    team_id: str
    user_id: str
    week: Week
    state: str
    due_at: datetime
    questions: tuple[Question, ...]
    answered: frozenset[int]
    channel_id: str | None
    ts: str | None

    @property
    def closes_at(self) -> datetime:
        """When the DM stops taking answers: five days after it was due, and in any case
        when its week's answers close, however late the round started."""
        return min(self.due_at + CLOSE_AFTER, results_final_at(self.week))


@dataclass(frozen=True)
class Recipient:
    user_id: str
    due_at: datetime
    questions: Sequence[Question]


@dataclass(frozen=True)
class RoundProgress:
    week: Week
    due: int
    sent: int
    failed: int
    answered: int


# The metadata event type on weekly pulse DMs, which finds one whose posting was interrupted.
WEEKLY_PULSE_TAG = "pulsedesk_weekly_pulse"
WEEKLY_REMINDER_TAG = "pulsedesk_weekly_reminder"


@dataclass(frozen=True)
class StartedRound:
    week: Week
    audience: int
    added: int
    # With send_now: deliveries that were waiting for a later local time, now due.
    due_now: int


@dataclass(frozen=True)
class PulseStatus:
    opted_out: bool
    # When the next weekly pulse is due for this person, in UTC.
    next_due: datetime
    # Results of fewer people than this are never shown.
    anonymity_minimum: int
