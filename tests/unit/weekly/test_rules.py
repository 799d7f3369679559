"""Weekly pulse rules: weeks, question selection, schedules across zones, NPS, anonymity."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from bot.calendar import Week, WeeklySchedule
from bot.errors import RuleError
from bot.metrics import nps, nps_counts, round_half_up
from bot.settings import Settings
from bot.weekly.rules import (
    ANONYMITY_FLOOR,
    DEPARTMENT_QUESTIONS_MAX,
    ICSQ_ROTATION,
    IcsqArea,
    Question,
    QuestionKind,
    UsedDepartment,
    asks_nps,
    icsq_area,
    select_questions,
)

MONDAY_TEN = WeeklySchedule(0, time(10, 0))


def consecutive_weeks(start: date, count: int) -> list[Week]:
    first = Week.of(start)
    return [Week(first.monday + timedelta(weeks=step)) for step in range(count)]


def nps_week() -> Week:
    return next(week for week in consecutive_weeks(date(2026, 1, 5), 4) if asks_nps(week))


def plain_week() -> Week:
    return next(week for week in consecutive_weeks(date(2026, 1, 5), 4) if not asks_nps(week))


def raises_rule_error(parse: Callable[..., object], *args: str) -> bool:
    try:
        parse(*args)
    except RuleError:
        return True
    return False


def utc(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


class TestWeek:
    @pytest.mark.parametrize(
        "day",
        [
            date(2026, 11, 23),
            date(2026, 11, 25),
            date(2026, 11, 29),
            date(2026, 12, 31),
            date(2027, 1, 1),
            date(2027, 1, 3),
            date(2027, 1, 4),
            date(2024, 12, 30),
            date(2025, 1, 1),
            date(2020, 12, 31),
            date(2021, 1, 3),
            date(2024, 2, 29),
            date(1970, 1, 1),
        ],
    )
    def test_of_gives_the_monday_of_the_iso_week(self, day: date) -> None:
        week = Week.of(day)
        year, number, weekday = day.isocalendar()
        assert week.monday.weekday() == 0
        assert week.monday == day - timedelta(days=weekday - 1)
        assert week.monday <= day < week.monday + timedelta(days=7)
        assert week.key == f"{year}-W{number:02d}"

    @pytest.mark.parametrize(
        ("day", "key"),
        [
            (date(2026, 11, 26), "2026-W48"),
            (date(2026, 12, 31), "2026-W53"),
            (date(2027, 1, 1), "2026-W53"),
            (date(2027, 1, 4), "2027-W01"),
            (date(2024, 12, 30), "2025-W01"),
            (date(2026, 1, 1), "2026-W01"),
            (date(2026, 3, 2), "2026-W10"),
        ],
    )
    def test_key_is_iso(self, day: date, key: str) -> None:
        year, number, _ = day.isocalendar()
        assert key == f"{year}-W{number:02d}"
        assert Week.of(day).key == key

    @pytest.mark.parametrize("start", [date(2026, 1, 5), date(2020, 12, 21), date(1969, 12, 1)])
    def test_parse_round_trips(self, start: date) -> None:
        for week in consecutive_weeks(start, 60):
            parsed = Week.parse(week.key)
            assert parsed == week
            assert parsed.key == week.key

    @pytest.mark.parametrize(
        ("key", "monday"),
        [
            ("2026-W48", date(2026, 11, 23)),
            ("2026-W53", date(2026, 12, 28)),
            ("2026-W01", date(2025, 12, 29)),
            ("2025-W01", date(2024, 12, 30)),
        ],
    )
    def test_parse_gives_the_monday(self, key: str, monday: date) -> None:
        assert Week.parse(key) == Week(monday)

    @pytest.mark.parametrize(
        "key",
        [
            "",
            "junk",
            "2026",
            "2026-W",
            "2026-Wxx",
            "2026-W00",
            "2026-W54",
            "2025-W53",
            "abcd-W10",
            "W48-2026",
            "2026-W48x",
            "2026-W-1",
        ],
    )
    def test_parse_rejects_junk(self, key: str) -> None:
        with pytest.raises(RuleError, match="is not a week like 2026-W48"):
            Week.parse(key)

    @pytest.mark.parametrize(
        "key",
        [
            "2026W48",
            "2026/W48",
            "2026-X48",
            "2026-W4_8",
            "2026-W 48",
        ],
    )
    def test_parse_rejects_keys_not_shaped_like_iso_weeks(self, key: str) -> None:
        assert raises_rule_error(Week.parse, key)

    def test_index_increments_by_one_per_week(self) -> None:
        weeks = consecutive_weeks(date(2025, 12, 1), 70)
        for earlier, later in pairwise(weeks):
            assert later.index == earlier.index + 1

    def test_index_is_the_same_for_every_day_of_a_week(self) -> None:
        monday = date(2026, 11, 23)
        indexes = {Week.of(monday + timedelta(days=offset)).index for offset in range(7)}
        assert indexes == {Week.of(monday).index}
        assert Week.of(monday + timedelta(days=7)).index == Week.of(monday).index + 1

    @pytest.mark.parametrize("start", [date(2026, 1, 5), date(2026, 12, 14), date(1969, 6, 2)])
    def test_icsq_area_cycles_in_order(self, start: date) -> None:
        weeks = consecutive_weeks(start, 30)
        first = ICSQ_ROTATION.index(icsq_area(weeks[0]))
        for offset, week in enumerate(weeks):
            assert icsq_area(week) == ICSQ_ROTATION[(first + offset) % 3]

    def test_icsq_rotation_is_the_three_areas_in_order(self) -> None:
        assert ICSQ_ROTATION == (
            IcsqArea.COMMUNICATION,
            IcsqArea.PRODUCTIVITY,
            IcsqArea.RESPONSIVENESS,
        )
        areas = [icsq_area(week) for week in consecutive_weeks(date(2026, 3, 2), 3)]
        assert sorted(areas) == sorted(ICSQ_ROTATION)

    @pytest.mark.parametrize("start", [date(2026, 1, 5), date(2026, 12, 21), date(1969, 6, 2)])
    def test_asks_nps_exactly_every_fourth_week(self, start: date) -> None:
        weeks = consecutive_weeks(start, 40)
        nps_positions = [offset for offset, week in enumerate(weeks) if asks_nps(week)]
        assert nps_positions
        assert nps_positions[0] < 4
        assert nps_positions == list(range(nps_positions[0], len(weeks), 4))

    def test_asks_nps_is_stable_across_year_boundaries(self) -> None:
        weeks = consecutive_weeks(date(2026, 12, 7), 12)
        positions = [offset for offset, week in enumerate(weeks) if asks_nps(week)]
        assert [b - a for a, b in pairwise(positions)] == [4] * (len(positions) - 1)

    def test_day_counts_from_monday(self) -> None:
        week = Week.of(date(2026, 11, 26))
        assert [week.day(offset) for offset in range(7)] == [
            date(2026, 11, 23) + timedelta(days=offset) for offset in range(7)
        ]


def dept(department_id: int, name: str, requests: int) -> UsedDepartment:
    return UsedDepartment(department_id, name, requests)


class TestSelectQuestions:
    @pytest.mark.parametrize("week", [nps_week(), plain_week()], ids=["nps", "plain"])
    def test_no_departments_gives_one_general_icsq_question(self, week: Week) -> None:
        assert select_questions(week, []) == [
            Question(QuestionKind.ICSQ, None, None, icsq_area(week))
        ]

    def test_one_department_in_a_plain_week(self) -> None:
        week = plain_week()
        questions = select_questions(week, [dept(7, "IT", 2)])
        assert questions == [
            Question(QuestionKind.PULSE, 7, "IT"),
            Question(QuestionKind.ICSQ, 7, "IT", icsq_area(week)),
        ]

    def test_one_department_in_an_nps_week(self) -> None:
        questions = select_questions(nps_week(), [dept(7, "IT", 2)])
        assert questions == [
            Question(QuestionKind.PULSE, 7, "IT"),
            Question(QuestionKind.NPS, 7, "IT"),
        ]

    @pytest.mark.parametrize("week", [nps_week(), plain_week()], ids=["nps", "plain"])
    def test_three_departments_pulse_the_top_two_then_ask_about_the_top(self, week: Week) -> None:
        used = [dept(1, "Facilities", 1), dept(2, "IT", 5), dept(3, "HR", 3)]
        questions = select_questions(week, used)
        assert [(q.kind, q.department_id) for q in questions[:2]] == [
            (QuestionKind.PULSE, 2),
            (QuestionKind.PULSE, 3),
        ]
        last = questions[2]
        assert last.department_id == 2
        assert last.department_name == "IT"
        if asks_nps(week):
            assert last == Question(QuestionKind.NPS, 2, "IT")
        else:
            assert last == Question(QuestionKind.ICSQ, 2, "IT", icsq_area(week))
        assert len(questions) == 3

    @pytest.mark.parametrize(
        ("used", "expected_pulse_ids"),
        [
            ([dept(1, "IT", 3), dept(2, "HR", 3), dept(3, "Facilities", 3)], [3, 2]),
            ([dept(3, "Facilities", 3), dept(2, "HR", 3), dept(1, "IT", 3)], [3, 2]),
            ([dept(1, "IT", 4), dept(2, "HR", 2), dept(3, "Facilities", 2)], [1, 3]),
            ([dept(9, "Same", 2), dept(4, "Same", 2)], [4, 9]),
        ],
    )
    def test_ties_are_broken_by_name(
        self, used: list[UsedDepartment], expected_pulse_ids: list[int]
    ) -> None:
        week = plain_week()
        for ordering in (used, list(reversed(used))):
            questions = select_questions(week, ordering)
            pulses = [q.department_id for q in questions if q.kind is QuestionKind.PULSE]
            assert pulses == expected_pulse_ids
            assert questions[-1].department_id == expected_pulse_ids[0]

    def test_never_more_than_three_questions(self) -> None:
        rng = random.Random(20261123)
        for week in consecutive_weeks(date(2026, 1, 5), 8):
            for _ in range(50):
                size = rng.randint(0, 8)
                used = [
                    dept(number, f"D{rng.randint(0, 3)}", rng.randint(1, 5))
                    for number in range(size)
                ]
                questions = select_questions(week, used)
                assert 1 <= len(questions) <= 3
                pulses = [q for q in questions if q.kind is QuestionKind.PULSE]
                assert len(pulses) == min(size, DEPARTMENT_QUESTIONS_MAX)
                assert len({q.department_id for q in pulses}) == len(pulses)
                if size:
                    top_requests = max(d.requests for d in used)
                    top = next(d for d in used if d.department_id == questions[-1].department_id)
                    assert top.requests == top_requests
                    assert questions[0].department_id == top.department_id

    @pytest.mark.parametrize(
        ("question", "scale"),
        [
            (Question(QuestionKind.NPS, 1, "IT"), range(0, 11)),
            (Question(QuestionKind.PULSE, 1, "IT"), range(1, 6)),
            (Question(QuestionKind.ICSQ, 1, "IT", IcsqArea.PRODUCTIVITY), range(1, 6)),
            (Question(QuestionKind.ICSQ, None, None, IcsqArea.COMMUNICATION), range(1, 6)),
        ],
    )
    def test_scale(self, question: Question, scale: range) -> None:
        assert question.scale == scale
        assert list(question.scale) == list(scale)


class TestWeeklyScheduleParse:
    @pytest.mark.parametrize(
        ("day", "weekday"),
        [
            ("monday", 0),
            ("Mon", 0),
            ("MONDAY", 0),
            (" monday ", 0),
            ("tue", 1),
            ("Wednesday", 2),
            ("thu", 3),
            ("friday", 4),
            ("sat", 5),
            ("Sunday", 6),
        ],
    )
    def test_days(self, day: str, weekday: int) -> None:
        assert WeeklySchedule.parse(day, "10:00").weekday == weekday

    @pytest.mark.parametrize(
        ("at", "expected"),
        [
            ("10:00", time(10, 0)),
            ("9:05", time(9, 5)),
            ("09:05", time(9, 5)),
            ("0:00", time(0, 0)),
            ("23:59", time(23, 59)),
            (" 10:30 ", time(10, 30)),
        ],
    )
    def test_times(self, at: str, expected: time) -> None:
        assert WeeklySchedule.parse("monday", at) == WeeklySchedule(0, expected)

    @pytest.mark.parametrize("day", ["someday", "", "mo", "  ", "lundi", "1"])
    def test_rejects_unknown_days(self, day: str) -> None:
        with pytest.raises(RuleError, match="is not a day of the week like monday or mon"):
            WeeklySchedule.parse(day, "10:00")

    @pytest.mark.parametrize(
        "day",
        [
            "monkey",
            "Sunburn",
        ],
    )
    def test_rejects_words_that_merely_start_like_a_day(self, day: str) -> None:
        assert raises_rule_error(WeeklySchedule.parse, day, "10:00")

    @pytest.mark.parametrize(
        "at",
        [
            "25:00",
            "24:00",
            "10:60",
            "10",
            "10:0",
            "ten",
            "",
            ":00",
            "10:",
            "10:000",
            "10:00:00",
            "-1:00",
            "+9:00",
            "1O:00",
            "10.00",
            "\u0661\u0660:00",
            "10:\u0660\u0660",
        ],
    )
    def test_rejects_bad_times(self, at: str) -> None:
        with pytest.raises(RuleError, match=r"is not a time like 10:00") as caught:
            WeeklySchedule.parse("monday", at)
        assert f"'{at}'" in str(caught.value)


class TestWeeklyScheduleDueAt:
    @pytest.mark.parametrize(
        ("zone", "day", "expected"),
        [
            ("Asia/Tokyo", date(2026, 11, 23), utc(2026, 11, 23, 1)),
            ("Asia/Tokyo", date(2026, 7, 8), utc(2026, 7, 6, 1)),
            ("America/Los_Angeles", date(2026, 11, 25), utc(2026, 11, 23, 18)),
            ("America/Los_Angeles", date(2026, 7, 8), utc(2026, 7, 6, 17)),
            ("Europe/Berlin", date(2026, 1, 14), utc(2026, 1, 12, 9)),
            ("Europe/Berlin", date(2026, 7, 8), utc(2026, 7, 6, 8)),
            ("UTC", date(2026, 11, 23), utc(2026, 11, 23, 10)),
            (None, date(2026, 11, 23), utc(2026, 11, 23, 10)),
            ("", date(2026, 11, 23), utc(2026, 11, 23, 10)),
            ("Not/AZone", date(2026, 11, 23), utc(2026, 11, 23, 10)),
            ("Mars/Olympus_Mons", date(2026, 7, 8), utc(2026, 7, 6, 10)),
            ("../etc/passwd", date(2026, 7, 8), utc(2026, 7, 6, 10)),
            ("America", date(2026, 7, 8), utc(2026, 7, 6, 10)),
        ],
    )
    def test_monday_ten(self, zone: str | None, day: date, expected: datetime) -> None:
        due = MONDAY_TEN.due_at(Week.of(day), zone)
        assert due == expected
        assert due.utcoffset() == timedelta(0)

    def test_result_is_in_utc(self) -> None:
        due = MONDAY_TEN.due_at(Week.of(date(2026, 11, 23)), "Asia/Tokyo")
        assert due.tzinfo is UTC

    def test_late_local_time_can_fall_on_the_next_utc_day(self) -> None:
        schedule = WeeklySchedule.parse("monday", "20:00")
        due = schedule.due_at(Week.of(date(2026, 11, 23)), "America/Los_Angeles")
        assert due == utc(2026, 11, 24, 4)

    def test_berlin_across_the_spring_change(self) -> None:
        before = MONDAY_TEN.due_at(Week.of(date(2026, 3, 23)), "Europe/Berlin")
        after = MONDAY_TEN.due_at(Week.of(date(2026, 3, 30)), "Europe/Berlin")
        assert before == utc(2026, 3, 23, 9)
        assert after == utc(2026, 3, 30, 8)
        assert after - before == timedelta(days=7, hours=-1)
        for due in (before, after):
            local = due.astimezone(ZoneInfo("Europe/Berlin"))
            assert (local.weekday(), local.time()) == (0, time(10, 0))

    def test_new_york_ambiguous_time_gives_one_valid_instant(self) -> None:
        zone = ZoneInfo("America/New_York")
        assert date(2026, 11, 1).weekday() == 6
        schedule = WeeklySchedule.parse("sunday", "01:30")
        due = schedule.due_at(Week.of(date(2026, 11, 1)), "America/New_York")
        assert due in (utc(2026, 11, 1, 5, 30), utc(2026, 11, 1, 6, 30))
        local = due.astimezone(zone)
        assert local.date() == date(2026, 11, 1)
        assert local.time() == time(1, 30)
        assert local.astimezone(UTC) == due
        again = schedule.due_at(Week.of(date(2026, 10, 27)), "America/New_York")
        assert again == due

    def test_new_york_skipped_time_gives_the_jump(self) -> None:
        schedule = WeeklySchedule.parse("sunday", "02:30")
        due = schedule.due_at(Week.of(date(2026, 3, 8)), "America/New_York")
        assert due == utc(2026, 3, 8, 7)
        local = due.astimezone(ZoneInfo("America/New_York"))
        assert (local.date(), local.time()) == (date(2026, 3, 8), time(3, 0))

    @pytest.mark.parametrize(
        "zone", ["Asia/Tokyo", "America/Los_Angeles", "Europe/Berlin", "Australia/Sydney"]
    )
    def test_wall_clock_is_the_schedule_every_week_of_a_year(self, zone: str) -> None:
        schedule = WeeklySchedule.parse("wed", "9:05")
        for week in consecutive_weeks(date(2026, 1, 5), 53):
            local = schedule.due_at(week, zone).astimezone(ZoneInfo(zone))
            assert local.date() == week.day(2)
            assert local.time() == time(9, 5)


class TestNps:
    @pytest.mark.parametrize(
        ("scores", "expected"),
        [
            ([], None),
            ([9], 100),
            ([10, 9, 10], 100),
            ([0], -100),
            ([0, 3, 6, 6], -100),
            ([7], 0),
            ([7, 8, 8, 7], 0),
            ([9, 0], 0),
            ([10, 7, 7, 7, 7, 7, 7, 7], 13),
            ([0, 7, 7, 7, 7, 7, 7, 7], -13),
            ([10, 10, 10, 0, 7, 8, 8, 8], 25),
            ([10, 10, 10, 8, 8, 8, 8, 8], 38),
            ([0, 0, 0, 8, 8, 8, 8, 8], -38),
            ([10, 8, 8], 33),
            ([10, 10, 8], 67),
            ([0, 0, 8], -67),
            ([9, 9, 6], 33),
            ([6, 7, 8, 9, 10], 20),
        ],
    )
    def test_nps(self, scores: list[int], expected: int | None) -> None:
        assert nps(scores) == expected

    @pytest.mark.parametrize(
        ("scores", "expected"),
        [
            ([], (0, 0, 0)),
            ([9, 10], (2, 0, 0)),
            ([7, 8], (0, 2, 0)),
            ([0, 6], (0, 0, 2)),
            ([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10], (2, 2, 7)),
        ],
    )
    def test_nps_counts(self, scores: list[int], expected: tuple[int, int, int]) -> None:
        assert nps_counts(scores) == expected

    def test_counts_sum_to_n_and_agree_with_nps(self) -> None:
        rng = random.Random(8)
        for _ in range(300):
            scores = [rng.randint(0, 10) for _ in range(rng.randint(1, 40))]
            promoters, passives, detractors = nps_counts(scores)
            assert promoters + passives + detractors == len(scores)
            assert min(promoters, passives, detractors) >= 0
            expected = round_half_up(100 * (promoters - detractors) / len(scores))
            assert nps(scores) == expected
            result = nps(scores)
            assert result is not None
            assert -100 <= result <= 100

    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            (0.0, 0),
            (0.5, 1),
            (-0.5, -1),
            (1.5, 2),
            (-1.5, -2),
            (2.5, 3),
            (-2.5, -3),
            (12.5, 13),
            (-12.5, -13),
            (12.4, 12),
            (-12.4, -12),
            (12.6, 13),
            (-12.6, -13),
            (99.5, 100),
            (-99.5, -100),
            (100.0, 100),
            (-100.0, -100),
            (0.49, 0),
            (-0.49, 0),
        ],
    )
    def test_round_half_up(self, value: float, expected: int) -> None:
        assert round_half_up(value) == expected

    @pytest.mark.parametrize("value", [0.49999999999999994, -0.49999999999999994])
    def test_round_half_up_just_below_a_half(self, value: float) -> None:
        assert round_half_up(value) == 0


class TestAnonymityMinimumSetting:
    @pytest.mark.parametrize("value", [3, 4, 5, 100])
    def test_accepts_three_and_above(self, value: int) -> None:
        settings = Settings(_env_file=None, anonymity_min_responses=value)
        assert settings.anonymity_min_responses == value

    @pytest.mark.parametrize("value", [2, 1, 0, -1])
    def test_rejects_below_three(self, value: int) -> None:
        with pytest.raises(ValidationError, match="greater than or equal to 3"):
            Settings(_env_file=None, anonymity_min_responses=value)

    def test_floor_is_three(self) -> None:
        assert ANONYMITY_FLOOR == 3
