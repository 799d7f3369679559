"""Satisfaction rules: rating scales, working hours across time zones and DST, pulse decisions."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.calendar import WorkingHours
from bot.errors import RuleError
from bot.reactions import base_emoji
from bot.satisfaction.rules import (
    DEFAULT_RATING_EMOJI,
    DEFAULT_WORKING_HOURS,
    PULSE_ANSWER_WINDOW,
    PulseDecision,
    PulseDecisionKind,
    RatingScale,
    decide_pulse,
    is_low,
    pulse_closes_at,
    rating_counts_for_resolution,
)

TOKYO = "Asia/Tokyo"
LOS_ANGELES = "America/Los_Angeles"
NEW_YORK = "America/New_York"
BERLIN = "Europe/Berlin"

OFFICE = WorkingHours.parse(DEFAULT_WORKING_HOURS)
EVERY_DAY = WorkingHours.parse("mon-sun 09:00-18:00")
DEFAULT_SCALE = RatingScale.parse(DEFAULT_RATING_EMOJI)


def local(zone: str, year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=ZoneInfo(zone))


def utc(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


# RatingScale --------------------------------------------------------------------------------


def test_default_scale_maps_every_listed_emoji() -> None:
    assert dict(DEFAULT_SCALE.scores) == {
        "rage": 1,
        "slightly_frowning_face": 2,
        "neutral_face": 3,
        "slightly_smiling_face": 4,
        "star-struck": 5,
        "+1": 5,
        "-1": 1,
    }


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("tada=5", {"tada": 5}, id="single"),
        pytest.param(
            ":Tada:=5, thumbsdown=1,,meh = 3",
            {"tada": 5, "thumbsdown": 1, "meh": 3},
            id="colons-case-spaces-empty-item",
        ),
        pytest.param("a=1,b=2,c=3,d=4,e=5", {"a": 1, "b": 2, "c": 3, "d": 4, "e": 5}, id="all"),
        pytest.param("heart_eyes=05", {"heart_eyes": 5}, id="leading-zero"),
        pytest.param("man's_face=2,+1=4,-1=2", {"man's_face": 2, "+1": 4, "-1": 2}, id="symbols"),
        pytest.param("ok=3,", {"ok": 3}, id="trailing-comma"),
    ],
)
def test_parse_custom_scales(text: str, expected: dict[str, int]) -> None:
    assert dict(RatingScale.parse(text).scores) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param("smile", "is not emoji=score", id="missing-equals"),
        pytest.param("smile=4,frown", "'frown' is not emoji=score", id="second-missing-equals"),
        pytest.param("=5", "is not emoji=score", id="missing-name"),
        pytest.param("smiley face=5", "is not emoji=score", id="space-in-name"),
        pytest.param("+1::skin-tone-3=5", "is not emoji=score", id="skin-tone-in-name"),
        pytest.param("smile=0", "whole number from 1 to 5", id="zero"),
        pytest.param("smile=6", "whole number from 1 to 5", id="six"),
        pytest.param("smile=-1", "whole number from 1 to 5", id="negative"),
        pytest.param("smile=4.5", "whole number from 1 to 5", id="decimal"),
        pytest.param("smile=five", "whole number from 1 to 5", id="word"),
        pytest.param("smile=", "whole number from 1 to 5", id="empty-score"),
        pytest.param("smile=5,smile=4", "'smile' is listed twice", id="duplicate"),
        pytest.param(":Smile:=5,smile=5", "'smile' is listed twice", id="duplicate-normalised"),
        pytest.param("", "no emoji given", id="empty"),
        pytest.param(" , ,", "no emoji given", id="only-commas"),
    ],
)
def test_parse_rejects_invalid_scales(text: str, message: str) -> None:
    with pytest.raises(RuleError, match=message):
        RatingScale.parse(text)


def test_parse_rejects_a_superscript_score_with_a_rule_error() -> None:
    with pytest.raises(RuleError, match="whole number from 1 to 5"):
        RatingScale.parse("smile=²")


@pytest.mark.parametrize(
    ("reaction", "score"),
    [
        ("rage", 1),
        ("slightly_frowning_face", 2),
        ("neutral_face", 3),
        ("slightly_smiling_face", 4),
        ("star-struck", 5),
        ("+1", 5),
        ("-1", 1),
        ("+1::skin-tone-3", 5),
        ("+1::skin-tone-6", 5),
        ("-1::skin-tone-2", 1),
        ("heart", None),
        ("thumbsup", None),
        ("+1::skin-tone-", None),
        ("+1:skin-tone-3", None),
        ("", None),
    ],
)
def test_score_of_default_scale(reaction: str, score: int | None) -> None:
    assert DEFAULT_SCALE.score_of(reaction) == score


@pytest.mark.parametrize(
    ("text", "score", "emoji"),
    [
        (DEFAULT_RATING_EMOJI, 1, "rage"),
        (DEFAULT_RATING_EMOJI, 2, "slightly_frowning_face"),
        (DEFAULT_RATING_EMOJI, 3, "neutral_face"),
        (DEFAULT_RATING_EMOJI, 4, "slightly_smiling_face"),
        (DEFAULT_RATING_EMOJI, 5, "star-struck"),
        ("+1=5,star-struck=5", 5, "+1"),
        ("tada=5,rage=1", 3, None),
    ],
)
def test_emoji_for_is_the_first_listed_for_a_score(
    text: str, score: int, emoji: str | None
) -> None:
    assert RatingScale.parse(text).emoji_for(score) == emoji


@pytest.mark.parametrize(
    ("reaction", "base"),
    [
        ("+1::skin-tone-3", "+1"),
        ("wave::skin-tone-2", "wave"),
        ("+1", "+1"),
        ("skin-tone-3", "skin-tone-3"),
        ("+1::skin-tone-3::skin-tone-4", "+1::skin-tone-3"),
    ],
)
def test_base_emoji(reaction: str, base: str) -> None:
    assert base_emoji(reaction) == base


@pytest.mark.parametrize(
    ("score", "low"), [(1, True), (2, True), (3, False), (4, False), (5, False)]
)
def test_is_low(score: int, low: bool) -> None:
    assert is_low(score) is low


# WorkingHours.parse -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "days", "start", "end"),
    [
        pytest.param(DEFAULT_WORKING_HOURS, {0, 1, 2, 3, 4}, time(9), time(18), id="default"),
        pytest.param("mon,wed,fri 08:30-17:00", {0, 2, 4}, time(8, 30), time(17), id="list"),
        pytest.param("sat-mon 10:00-12:00", {5, 6, 0}, time(10), time(12), id="wrap-sat-mon"),
        pytest.param("fri-tue 10:00-12:00", {4, 5, 6, 0, 1}, time(10), time(12), id="wrap-fri"),
        pytest.param("sun-sun 10:00-12:00", {6}, time(10), time(12), id="one-day-range"),
        pytest.param("mon-sun 00:00-24:00", set(range(7)), time(0), None, id="always"),
        pytest.param("mon-wed,sat 9:05-9:06", {0, 1, 2, 5}, time(9, 5), time(9, 6), id="mixed"),
        pytest.param("  MON-FRI   09:00-18:00 ", {0, 1, 2, 3, 4}, time(9), time(18), id="case"),
        pytest.param("tue 23:00-24:00", {1}, time(23), None, id="to-midnight"),
    ],
)
def test_parse_working_hours(text: str, days: set[int], start: time, end: time | None) -> None:
    assert WorkingHours.parse(text) == WorkingHours(days=frozenset(days), start=start, end=end)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param("mon-fry 09:00-18:00", "'mon-fry' is not a day", id="bad-range-end"),
        pytest.param("weekdays 09:00-18:00", "is not a day", id="bad-day"),
        pytest.param("mon,,fri 09:00-18:00", "is not a day", id="empty-day"),
        pytest.param("mon- 09:00-18:00", "is not a day", id="open-range"),
        pytest.param("mon-fri-sat 09:00-18:00", "is not a day", id="double-range"),
        pytest.param("mon-fri 9am-6pm", "is not a time like 09:00", id="am-pm"),
        pytest.param("mon-fri 09:00-6pm", "is not a time like 09:00", id="bad-end"),
        pytest.param("mon-fri 25:00-26:00", "is not a time of day", id="hour-25"),
        pytest.param("mon-fri 09:60-18:00", "is not a time of day", id="minute-60"),
        pytest.param("mon-fri 24:00-24:00", "is not a time of day", id="start-24"),
        pytest.param("mon-fri 18:00-09:00", "must start before it ends", id="reversed"),
        pytest.param("mon-fri 09:00-09:00", "must start before it ends", id="empty-window"),
        pytest.param("mon-fri 09:00-00:00", "must start before it ends", id="end-midnight-00"),
        pytest.param("mon-fri 09:00", "is not a time range", id="no-end"),
        pytest.param("mon-fri 09:00-", "is not a time like 09:00", id="dangling-dash"),
        pytest.param("mon-fri", "is not like 'mon-fri 09:00-18:00'", id="no-times"),
        pytest.param("09:00-18:00", "is not like 'mon-fri 09:00-18:00'", id="no-days"),
        pytest.param("", "is not like 'mon-fri 09:00-18:00'", id="empty"),
        pytest.param("mon - fri 09:00-18:00", "is not like", id="spaced-range"),
        pytest.param("mon-fri 09:00-18:00 utc", "is not like", id="extra-part"),
    ],
)
def test_parse_rejects_invalid_working_hours(text: str, message: str) -> None:
    with pytest.raises(RuleError, match=message):
        WorkingHours.parse(text)


# WorkingHours.contains ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("hours", "moment", "inside"),
    [
        pytest.param(OFFICE, local(TOKYO, 2026, 6, 5, 9), True, id="opening-minute"),
        pytest.param(OFFICE, local(TOKYO, 2026, 6, 5, 8, 59), False, id="just-before"),
        pytest.param(OFFICE, local(TOKYO, 2026, 6, 5, 17, 59), True, id="last-minute"),
        pytest.param(OFFICE, local(TOKYO, 2026, 6, 5, 18), False, id="closing-exclusive"),
        pytest.param(OFFICE, local(TOKYO, 2026, 6, 6, 12), False, id="saturday"),
        pytest.param(
            WorkingHours.parse("sat-mon 10:00-12:00"),
            local(BERLIN, 2026, 6, 7, 11),
            True,
            id="wrapped-sunday",
        ),
        pytest.param(
            WorkingHours.parse("sat-mon 10:00-12:00"),
            local(BERLIN, 2026, 6, 9, 11),
            False,
            id="wrapped-tuesday",
        ),
        pytest.param(
            WorkingHours.parse("mon-sun 00:00-24:00"),
            datetime(2026, 6, 7, 23, 59, 59, 999999, tzinfo=UTC),
            True,
            id="always-end-of-day",
        ),
        pytest.param(
            WorkingHours.parse("mon-sun 00:00-24:00"), utc(2026, 6, 7, 0), True, id="always-start"
        ),
    ],
)
def test_contains(hours: WorkingHours, moment: datetime, inside: bool) -> None:
    assert hours.contains(moment) is inside


# WorkingHours.next_opening ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("at", "timezone", "expected"),
    [
        pytest.param(
            local(TOKYO, 2026, 6, 5, 19), TOKYO, utc(2026, 6, 8, 0), id="tokyo-friday-evening"
        ),
        pytest.param(
            local(TOKYO, 2026, 6, 5, 18), TOKYO, utc(2026, 6, 8, 0), id="tokyo-friday-closing"
        ),
        pytest.param(local(TOKYO, 2026, 6, 6, 10), TOKYO, utc(2026, 6, 8, 0), id="tokyo-saturday"),
        pytest.param(
            local(TOKYO, 2026, 6, 5, 8), TOKYO, utc(2026, 6, 5, 0), id="tokyo-before-opening"
        ),
        pytest.param(
            local(TOKYO, 2026, 6, 4, 23, 30), TOKYO, utc(2026, 6, 5, 0), id="tokyo-thursday-night"
        ),
        pytest.param(
            local(LOS_ANGELES, 2026, 6, 5, 19), LOS_ANGELES, utc(2026, 6, 8, 16), id="la-friday"
        ),
        pytest.param(
            local(LOS_ANGELES, 2026, 6, 8, 7),
            LOS_ANGELES,
            utc(2026, 6, 8, 16),
            id="la-before-opening",
        ),
        pytest.param(
            local(LOS_ANGELES, 2026, 1, 9, 20),
            LOS_ANGELES,
            utc(2026, 1, 12, 17),
            id="la-winter-friday",
        ),
        pytest.param(utc(2026, 6, 5, 18), None, utc(2026, 6, 8, 9), id="none-is-utc"),
        pytest.param(utc(2026, 6, 5, 18), "", utc(2026, 6, 8, 9), id="empty-is-utc"),
        pytest.param(utc(2026, 6, 5, 18), "Mars/Olympus_Mons", utc(2026, 6, 8, 9), id="unknown"),
        pytest.param(utc(2026, 6, 5, 18), "../etc/passwd", utc(2026, 6, 8, 9), id="bad-name"),
        pytest.param(utc(2026, 6, 3, 7), None, utc(2026, 6, 3, 9), id="utc-before-opening"),
    ],
)
def test_next_opening_outside_hours(at: datetime, timezone: str | None, expected: datetime) -> None:
    opening = OFFICE.next_opening(at, timezone)
    assert opening == expected
    assert opening.utcoffset() == timedelta(0)
    zone = ZoneInfo(timezone) if timezone in (TOKYO, LOS_ANGELES) else UTC
    assert OFFICE.contains(opening.astimezone(zone))
    assert not OFFICE.contains((opening - timedelta(minutes=1)).astimezone(zone))


@pytest.mark.parametrize(
    ("at", "timezone"),
    [
        pytest.param(local(TOKYO, 2026, 6, 3, 12), TOKYO, id="tokyo-midday"),
        pytest.param(local(TOKYO, 2026, 6, 5, 9), TOKYO, id="tokyo-opening-minute"),
        # Saturday 00:59 in UTC, still Friday afternoon in Los Angeles.
        pytest.param(local(LOS_ANGELES, 2026, 6, 5, 17, 59), LOS_ANGELES, id="la-utc-saturday"),
        pytest.param(utc(2026, 6, 8, 12), None, id="utc-monday"),
    ],
)
def test_next_opening_inside_hours_is_unchanged(at: datetime, timezone: str | None) -> None:
    assert OFFICE.next_opening(at, timezone) == at


def test_next_opening_follows_the_requesters_zone_not_utc() -> None:
    monday_noon_utc = utc(2026, 6, 8, 12)
    assert OFFICE.next_opening(monday_noon_utc, None) == monday_noon_utc
    assert OFFICE.next_opening(monday_noon_utc, LOS_ANGELES) == utc(2026, 6, 8, 16)
    assert OFFICE.next_opening(monday_noon_utc, TOKYO) == utc(2026, 6, 9, 0)
    monday_early_utc = utc(2026, 6, 8, 1)
    assert OFFICE.next_opening(monday_early_utc, TOKYO) == monday_early_utc
    assert OFFICE.next_opening(monday_early_utc, None) == utc(2026, 6, 8, 9)
    assert OFFICE.next_opening(monday_early_utc, LOS_ANGELES) == utc(2026, 6, 8, 16)


@pytest.mark.parametrize(
    ("hours", "at", "timezone", "expected"),
    [
        pytest.param(
            WorkingHours.parse("sat-mon 10:00-12:00"),
            local(BERLIN, 2026, 6, 9, 11),
            BERLIN,
            utc(2026, 6, 13, 8),
            id="tuesday-to-wrapped-saturday",
        ),
        pytest.param(
            WorkingHours.parse("mon,wed,fri 08:30-17:00"),
            local(TOKYO, 2026, 6, 8, 17),
            TOKYO,
            utc(2026, 6, 9, 23, 30),
            id="monday-evening-to-wednesday",
        ),
        pytest.param(
            WorkingHours.parse("wed 09:00-10:00"),
            local(TOKYO, 2026, 6, 3, 10),
            TOKYO,
            utc(2026, 6, 10, 0),
            id="same-weekday-next-week",
        ),
        pytest.param(
            WorkingHours.parse("tue 23:00-24:00"),
            local(LOS_ANGELES, 2026, 6, 9, 22),
            LOS_ANGELES,
            utc(2026, 6, 10, 6),
            id="late-window",
        ),
    ],
)
def test_next_opening_custom_hours(
    hours: WorkingHours, at: datetime, timezone: str, expected: datetime
) -> None:
    assert hours.next_opening(at, timezone) == expected


@pytest.mark.parametrize(
    ("hours", "at", "timezone", "expected"),
    [
        pytest.param(
            OFFICE, local(NEW_YORK, 2026, 3, 6, 19), NEW_YORK, utc(2026, 3, 9, 13), id="ny-spring"
        ),
        pytest.param(
            OFFICE, local(NEW_YORK, 2026, 10, 30, 19), NEW_YORK, utc(2026, 11, 2, 14), id="ny-fall"
        ),
        pytest.param(
            OFFICE, local(BERLIN, 2026, 3, 27, 19), BERLIN, utc(2026, 3, 30, 7), id="berlin-spring"
        ),
        pytest.param(
            OFFICE, local(BERLIN, 2026, 10, 23, 19), BERLIN, utc(2026, 10, 26, 8), id="berlin-fall"
        ),
        pytest.param(
            EVERY_DAY,
            local(NEW_YORK, 2026, 3, 8, 0, 30),
            NEW_YORK,
            utc(2026, 3, 8, 13),
            id="ny-spring-same-day",
        ),
        pytest.param(
            EVERY_DAY,
            local(NEW_YORK, 2026, 3, 7, 20),
            NEW_YORK,
            utc(2026, 3, 8, 13),
            id="ny-spring-evening-before",
        ),
        pytest.param(
            EVERY_DAY,
            local(NEW_YORK, 2026, 11, 1, 0, 30),
            NEW_YORK,
            utc(2026, 11, 1, 14),
            id="ny-fall-same-day",
        ),
        pytest.param(
            EVERY_DAY,
            datetime(2026, 11, 1, 1, 30, fold=1, tzinfo=ZoneInfo(NEW_YORK)),
            NEW_YORK,
            utc(2026, 11, 1, 14),
            id="ny-fall-repeated-hour",
        ),
        pytest.param(
            EVERY_DAY,
            local(BERLIN, 2026, 3, 29, 0, 30),
            BERLIN,
            utc(2026, 3, 29, 7),
            id="berlin-spring-same-day",
        ),
        pytest.param(
            EVERY_DAY,
            local(BERLIN, 2026, 10, 25, 0, 30),
            BERLIN,
            utc(2026, 10, 25, 8),
            id="berlin-fall-same-day",
        ),
        pytest.param(
            EVERY_DAY,
            local(BERLIN, 2026, 10, 24, 18),
            BERLIN,
            utc(2026, 10, 25, 8),
            id="berlin-fall-evening-before",
        ),
    ],
)
def test_next_opening_across_dst(
    hours: WorkingHours, at: datetime, timezone: str, expected: datetime
) -> None:
    opening = hours.next_opening(at, timezone)
    assert opening == expected
    assert opening.utcoffset() == timedelta(0)
    wall = opening.astimezone(ZoneInfo(timezone))
    assert (wall.hour, wall.minute) == (9, 0)
    assert wall.date() == expected.astimezone(ZoneInfo(timezone)).date()
    assert hours.contains(wall)
    assert not hours.contains((opening - timedelta(minutes=1)).astimezone(ZoneInfo(timezone)))


@pytest.mark.parametrize(
    ("at", "timezone", "first_open"),
    [
        pytest.param(local(NEW_YORK, 2026, 3, 8, 1, 59), NEW_YORK, utc(2026, 3, 8, 7), id="ny"),
        pytest.param(local(BERLIN, 2026, 3, 29, 1, 59), BERLIN, utc(2026, 3, 29, 1), id="berlin"),
    ],
)
def test_next_opening_in_a_skipped_hour_is_the_first_open_instant(
    at: datetime, timezone: str, first_open: datetime
) -> None:
    hours = WorkingHours.parse("mon-sun 02:30-18:00")
    zone = ZoneInfo(timezone)
    assert hours.contains(first_open.astimezone(zone))
    assert not hours.contains((first_open - timedelta(minutes=1)).astimezone(zone))
    assert hours.next_opening(at, timezone) == first_open


# decide_pulse -------------------------------------------------------------------------------

COOLDOWN = timedelta(days=7)
# Wednesday 2026-06-03 12:00 in Tokyo, 03:00 UTC.
INSIDE = local(TOKYO, 2026, 6, 3, 12).astimezone(UTC)
# Friday 2026-06-05 20:00 in Tokyo.
OUTSIDE = local(TOKYO, 2026, 6, 5, 20).astimezone(UTC)


@pytest.mark.parametrize(
    ("now", "rated", "last_sent", "expected"),
    [
        pytest.param(INSIDE, True, None, PulseDecision(PulseDecisionKind.SKIP_RATED), id="rated"),
        pytest.param(
            OUTSIDE, True, None, PulseDecision(PulseDecisionKind.SKIP_RATED), id="rated-outside"
        ),
        pytest.param(
            INSIDE,
            True,
            INSIDE - timedelta(hours=1),
            PulseDecision(PulseDecisionKind.SKIP_RATED),
            id="rated-in-cooldown",
        ),
        pytest.param(
            OUTSIDE,
            False,
            None,
            PulseDecision(PulseDecisionKind.WAIT, wait_until=utc(2026, 6, 8, 0)),
            id="outside-waits",
        ),
        pytest.param(
            OUTSIDE,
            False,
            OUTSIDE - timedelta(days=1),
            PulseDecision(PulseDecisionKind.WAIT, wait_until=utc(2026, 6, 8, 0)),
            id="outside-in-cooldown-still-waits",
        ),
        pytest.param(
            INSIDE,
            False,
            INSIDE - timedelta(days=1),
            PulseDecision(PulseDecisionKind.SKIP_COOLDOWN),
            id="cooldown",
        ),
        pytest.param(
            INSIDE,
            False,
            INSIDE - COOLDOWN + timedelta(seconds=1),
            PulseDecision(PulseDecisionKind.SKIP_COOLDOWN),
            id="cooldown-last-second",
        ),
        pytest.param(
            INSIDE,
            False,
            INSIDE - COOLDOWN,
            PulseDecision(PulseDecisionKind.SEND),
            id="cooldown-exactly-over",
        ),
        pytest.param(
            INSIDE,
            False,
            INSIDE - COOLDOWN - timedelta(days=1),
            PulseDecision(PulseDecisionKind.SEND),
            id="cooldown-long-over",
        ),
        pytest.param(INSIDE, False, None, PulseDecision(PulseDecisionKind.SEND), id="first-pulse"),
    ],
)
def test_decide_pulse(
    now: datetime, rated: bool, last_sent: datetime | None, expected: PulseDecision
) -> None:
    decision = decide_pulse(
        now=now,
        rated=rated,
        last_pulse_sent_at=last_sent,
        cooldown=COOLDOWN,
        working_hours=OFFICE,
        timezone=TOKYO,
    )
    assert decision == expected


def test_decide_pulse_waits_in_the_requesters_zone() -> None:
    # 03:00 UTC Wednesday: midday in Tokyo, Tuesday 20:00 in Los Angeles.
    def decide(timezone: str | None) -> PulseDecision:
        return decide_pulse(
            now=INSIDE,
            rated=False,
            last_pulse_sent_at=None,
            cooldown=COOLDOWN,
            working_hours=OFFICE,
            timezone=timezone,
        )

    assert decide(TOKYO) == PulseDecision(PulseDecisionKind.SEND)
    assert decide(LOS_ANGELES) == PulseDecision(
        PulseDecisionKind.WAIT, wait_until=utc(2026, 6, 3, 16)
    )
    assert decide(None) == PulseDecision(PulseDecisionKind.WAIT, wait_until=utc(2026, 6, 3, 9))


# Answer window and which rating counts ------------------------------------------------------


@pytest.mark.parametrize(
    ("sent_at", "closes_at"),
    [
        (utc(2026, 6, 5, 10), utc(2026, 6, 10, 10)),
        (utc(2026, 3, 6, 18), utc(2026, 3, 11, 18)),
        (utc(2026, 12, 30, 23, 59), utc(2027, 1, 4, 23, 59)),
    ],
)
def test_pulse_closes_five_days_after_sending(sent_at: datetime, closes_at: datetime) -> None:
    assert timedelta(days=5) == PULSE_ANSWER_WINDOW
    assert pulse_closes_at(sent_at) == closes_at


RESOLVED = utc(2026, 6, 5, 10)


@pytest.mark.parametrize(
    ("rated_at", "counts"),
    [
        pytest.param(None, False, id="unrated"),
        pytest.param(RESOLVED - timedelta(days=1), False, id="before"),
        pytest.param(RESOLVED - timedelta(microseconds=1), False, id="just-before"),
        pytest.param(RESOLVED, True, id="equal"),
        pytest.param(RESOLVED + timedelta(minutes=5), True, id="after"),
    ],
)
def test_rating_counts_for_resolution(rated_at: datetime | None, counts: bool) -> None:
    assert rating_counts_for_resolution(rated_at, RESOLVED) is counts
