"""Weekly pulse results: which answers may be reported, and what is computed from them."""

from __future__ import annotations

import random
from collections.abc import Sequence

import pytest

from bot.metrics import mean_rating, nps, nps_counts
from bot.weekly.rules import (
    DEFAULT_ANONYMITY_MIN_RESPONSES,
    ICSQ_ROTATION,
    IcsqArea,
    QuestionKind,
    WeeklyAnswerRow,
    WeeklyResults,
    countable,
    weekly_results,
)

K = DEFAULT_ANONYMITY_MIN_RESPONSES
W43, W44, W45 = "2026-W43", "2026-W44", "2026-W45"
AREAS = [area.value for area in ICSQ_ROTATION]
Key = tuple[QuestionKind, IcsqArea | None]


def rows(
    week: str, kind: QuestionKind, scores: Sequence[int], area: IcsqArea | None = None
) -> list[WeeklyAnswerRow]:
    return [WeeklyAnswerRow(week, kind, area, score) for score in scores]


def pulse(week: str, scores: Sequence[int]) -> list[WeeklyAnswerRow]:
    return rows(week, QuestionKind.PULSE, scores)


def icsq(week: str, area: IcsqArea, scores: Sequence[int]) -> list[WeeklyAnswerRow]:
    return rows(week, QuestionKind.ICSQ, scores, area)


def nps_rows(week: str, scores: Sequence[int]) -> list[WeeklyAnswerRow]:
    return rows(week, QuestionKind.NPS, scores)


EMPTY = WeeklyResults(
    pulse_score=None,
    pulse_responses=0,
    nps=None,
    nps_responses=0,
    nps_promoters=0,
    nps_passives=0,
    nps_detractors=0,
    icsq={"communication": None, "productivity": None, "responsiveness": None},
    icsq_responses={"communication": 0, "productivity": 0, "responsiveness": 0},
)


class TestCountable:
    @pytest.mark.parametrize(
        ("size", "counted"),
        [
            pytest.param(K - 1, False, id="below"),
            pytest.param(K, True, id="exactly"),
            pytest.param(K + 1, True, id="above"),
        ],
    )
    def test_a_week_counts_whole_or_not_at_all(self, size: int, counted: bool) -> None:
        scores = [(n % 5) + 1 for n in range(size)]
        assert countable({W45: scores}, minimum=K) == (scores if counted else [])

    def test_weeks_are_judged_one_by_one(self) -> None:
        weeks = {W43: [1, 2, 3, 4, 5], W44: [5, 5, 5, 5], W45: [4, 4, 4, 4, 4, 4]}
        assert sorted(countable(weeks, minimum=K)) == sorted([1, 2, 3, 4, 5, *[4] * 6])

    def test_weeks_below_the_minimum_do_not_add_up(self) -> None:
        assert countable({W43: [5, 5, 5], W44: [5, 5, 5], W45: [5, 5, 5, 5]}, minimum=K) == []

    def test_nothing_and_empty_weeks_give_nothing(self) -> None:
        assert countable({}, minimum=K) == []
        assert countable({W45: []}, minimum=K) == []

    @pytest.mark.parametrize("minimum", [3, 4, 7])
    def test_the_minimum_is_the_one_given(self, minimum: int) -> None:
        assert countable({W45: [3] * minimum}, minimum=minimum) == [3] * minimum
        assert countable({W45: [3] * (minimum - 1)}, minimum=minimum) == []


class TestPulse:
    @pytest.mark.parametrize(
        ("scores", "mean"),
        [
            pytest.param([5, 5, 5, 5, 5], 5.0, id="all-fives"),
            pytest.param([1, 2, 3, 4, 5], 3.0, id="whole"),
            pytest.param([4, 4, 4, 5, 5], 4.4, id="one-decimal"),
            pytest.param([3, 3, 3, 3, 4, 4], 3.3, id="rounded-down"),
            pytest.param([3, 3, 4, 4, 4, 4], 3.7, id="rounded-up"),
            pytest.param([3, 3, 3, 3, 3, 3, 4, 3], 3.1, id="3.125-down"),
            pytest.param([3, 3, 3, 3, 3, 3, 4, 4], 3.3, id="3.25-half-up"),
            pytest.param([1] * 17 + [2] * 3, 1.2, id="1.15-half-up"),
            pytest.param([2] * 11 + [3] * 9, 2.5, id="2.45-half-up"),
        ],
    )
    def test_mean_to_one_decimal_half_up(self, scores: list[int], mean: float) -> None:
        results = weekly_results(pulse(W45, scores), minimum=K)
        assert results.pulse_score == mean
        assert results.pulse_responses == len(scores)

    def test_a_week_below_the_minimum_is_hidden(self) -> None:
        assert weekly_results(pulse(W45, [5, 5, 5, 5]), minimum=K) == EMPTY

    def test_only_weeks_with_enough_answers_count(self) -> None:
        answers = pulse(W44, [2, 2, 2, 2, 2]) + pulse(W45, [5, 5, 5, 5])
        results = weekly_results(answers, minimum=K)
        assert (results.pulse_score, results.pulse_responses) == (2.0, 5)

    def test_counted_weeks_are_pooled(self) -> None:
        answers = pulse(W44, [2, 2, 2, 2, 2]) + pulse(W45, [5, 5, 5, 5, 5, 5, 5])
        results = weekly_results(answers, minimum=K)
        # (10 + 35) / 12 = 3.75
        assert (results.pulse_score, results.pulse_responses) == (3.8, 12)

    def test_order_of_answers_does_not_matter(self) -> None:
        answers = pulse(W44, [1, 2, 3, 4, 5]) + pulse(W45, [5, 4, 4, 4, 4, 3])
        shuffled = list(answers)
        random.Random(7).shuffle(shuffled)
        assert weekly_results(shuffled, minimum=K) == weekly_results(answers, minimum=K)


class TestNps:
    @pytest.mark.parametrize(
        ("scores", "value", "counts"),
        [
            pytest.param([9, 10, 9, 10, 9], 100, (5, 0, 0), id="all-promoters"),
            pytest.param([7, 8, 7, 8, 8], 0, (0, 5, 0), id="all-passives"),
            pytest.param([0, 1, 6, 5, 3], -100, (0, 0, 5), id="all-detractors"),
            pytest.param([10, 9, 8, 7, 6], 20, (2, 2, 1), id="edges"),
            pytest.param([10, 9, 8, 6, 0], 0, (2, 1, 2), id="balanced"),
            pytest.param([9, 7, 7, 7, 7, 7, 7, 7], 13, (1, 7, 0), id="12.5-up"),
            pytest.param([6, 7, 7, 7, 7, 7, 7, 7], -13, (0, 7, 1), id="minus-12.5-away-from-zero"),
            pytest.param([9, 9, 6, 7, 7, 7], 17, (2, 3, 1), id="16.7"),
            pytest.param([9, 6, 6, 7, 7, 7], -17, (1, 3, 2), id="minus-16.7"),
            pytest.param([10, 8, 8, 8, 8, 8, 8], 14, (1, 6, 0), id="14.3"),
        ],
    )
    def test_value_and_counts(
        self, scores: list[int], value: int, counts: tuple[int, int, int]
    ) -> None:
        results = weekly_results(nps_rows(W45, scores), minimum=K)
        assert results.nps == value
        assert results.nps_responses == len(scores)
        assert (results.nps_promoters, results.nps_passives, results.nps_detractors) == counts
        assert nps(scores) == value
        assert nps_counts(scores) == counts

    def test_a_week_below_the_minimum_is_hidden_with_its_counts(self) -> None:
        results = weekly_results(nps_rows(W45, [10, 10, 10, 0]), minimum=K)
        assert results == EMPTY

    def test_only_weeks_with_enough_answers_count(self) -> None:
        answers = nps_rows(W44, [10, 10, 10, 10, 0]) + nps_rows(W45, [0, 0, 0, 0])
        results = weekly_results(answers, minimum=K)
        assert (results.nps, results.nps_responses) == (60, 5)
        assert (results.nps_promoters, results.nps_passives, results.nps_detractors) == (4, 0, 1)


class TestIcsq:
    def test_each_area_has_its_own_mean_and_count(self) -> None:
        answers = (
            icsq(W43, IcsqArea.COMMUNICATION, [5, 4, 4, 3, 5])
            + icsq(W44, IcsqArea.PRODUCTIVITY, [2, 2, 3, 3, 3, 3])
            + icsq(W45, IcsqArea.RESPONSIVENESS, [1, 1, 1, 1, 1, 2, 2])
        )
        results = weekly_results(answers, minimum=K)
        assert results.icsq == {"communication": 4.2, "productivity": 2.7, "responsiveness": 1.3}
        assert results.icsq_responses == {
            "communication": 5,
            "productivity": 6,
            "responsiveness": 7,
        }
        assert (results.pulse_score, results.pulse_responses) == (None, 0)
        assert (results.nps, results.nps_responses) == (None, 0)

    def test_areas_of_one_week_do_not_add_up(self) -> None:
        answers = icsq(W45, IcsqArea.COMMUNICATION, [4] * (K - 1)) + icsq(
            W45, IcsqArea.PRODUCTIVITY, [4] * (K - 1)
        )
        assert weekly_results(answers, minimum=K) == EMPTY

    def test_an_area_below_the_minimum_is_hidden_and_others_shown(self) -> None:
        answers = icsq(W44, IcsqArea.COMMUNICATION, [4] * K) + icsq(
            W45, IcsqArea.PRODUCTIVITY, [1] * (K - 1)
        )
        results = weekly_results(answers, minimum=K)
        assert results.icsq == {"communication": 4.0, "productivity": None, "responsiveness": None}
        assert results.icsq_responses == {
            "communication": K,
            "productivity": 0,
            "responsiveness": 0,
        }

    def test_the_same_area_pools_its_counted_weeks(self) -> None:
        answers = (
            icsq(W43, IcsqArea.COMMUNICATION, [5] * K)
            + icsq(W44, IcsqArea.COMMUNICATION, [1] * (K - 1))
            + icsq(W45, IcsqArea.COMMUNICATION, [2] * K)
        )
        results = weekly_results(answers, minimum=K)
        assert results.icsq["communication"] == 3.5
        assert results.icsq_responses["communication"] == 2 * K


class TestNothingCountable:
    def test_no_answers(self) -> None:
        assert weekly_results([], minimum=K) == EMPTY
        assert WeeklyResults() == EMPTY

    def test_every_question_below_the_minimum(self) -> None:
        answers = (
            pulse(W45, [5] * (K - 1))
            + nps_rows(W45, [10] * (K - 1))
            + icsq(W45, IcsqArea.COMMUNICATION, [5] * (K - 1))
            + icsq(W44, IcsqArea.PRODUCTIVITY, [5] * (K - 1))
            + icsq(W43, IcsqArea.RESPONSIVENESS, [5] * (K - 1))
        )
        assert weekly_results(answers, minimum=K) == EMPTY

    def test_results_dicts_are_not_shared(self) -> None:
        first, second = WeeklyResults(), WeeklyResults()
        assert first.icsq is not second.icsq
        assert first.icsq_responses is not second.icsq_responses


class TestQuestionsAreIndependent:
    def test_a_small_pulse_week_does_not_hide_the_same_weeks_icsq(self) -> None:
        answers = pulse(W45, [1] * (K - 1)) + icsq(W45, IcsqArea.COMMUNICATION, [5] * K)
        results = weekly_results(answers, minimum=K)
        assert (results.pulse_score, results.pulse_responses) == (None, 0)
        assert results.icsq["communication"] == 5.0
        assert results.icsq_responses["communication"] == K

    def test_a_small_icsq_week_does_not_hide_the_same_weeks_pulse(self) -> None:
        answers = pulse(W45, [4] * K) + icsq(W45, IcsqArea.COMMUNICATION, [1] * (K - 1))
        results = weekly_results(answers, minimum=K)
        assert (results.pulse_score, results.pulse_responses) == (4.0, K)
        assert results.icsq_responses == dict.fromkeys(AREAS, 0)

    def test_a_small_nps_week_does_not_hide_the_same_weeks_pulse(self) -> None:
        answers = pulse(W45, [3] * K) + nps_rows(W45, [10] * (K - 1))
        results = weekly_results(answers, minimum=K)
        assert (results.pulse_score, results.pulse_responses) == (3.0, K)
        assert (results.nps, results.nps_responses, results.nps_promoters) == (None, 0, 0)

    def test_questions_do_not_add_up_to_the_minimum(self) -> None:
        answers = (
            pulse(W45, [3] * (K - 1))
            + nps_rows(W45, [10])
            + icsq(W45, IcsqArea.RESPONSIVENESS, [2])
        )
        assert weekly_results(answers, minimum=K) == EMPTY


def _random_answers(rng: random.Random, weeks: list[str]) -> list[WeeklyAnswerRow]:
    keys: list[Key] = [
        (QuestionKind.PULSE, None),
        (QuestionKind.NPS, None),
        *((QuestionKind.ICSQ, area) for area in ICSQ_ROTATION),
    ]
    answers: list[WeeklyAnswerRow] = []
    for week in weeks:
        for kind, area in keys:
            size = rng.choice([0, 0, 1, 2, 3, 4, 5, 6, 7, 9, 12])
            high = 10 if kind is QuestionKind.NPS else 5
            low = 0 if kind is QuestionKind.NPS else 1
            answers += [
                WeeklyAnswerRow(week, kind, area, rng.randint(low, high)) for _ in range(size)
            ]
    rng.shuffle(answers)
    return answers


def _grouped(answers: Sequence[WeeklyAnswerRow]) -> dict[Key, dict[str, list[int]]]:
    groups: dict[Key, dict[str, list[int]]] = {}
    for answer in answers:
        groups.setdefault((answer.kind, answer.area), {}).setdefault(answer.week, []).append(
            answer.score
        )
    return groups


def _counted(
    groups: dict[Key, dict[str, list[int]]], key: Key, minimum: int
) -> dict[str, list[int]]:
    return {week: s for week, s in groups.get(key, {}).items() if len(s) >= minimum}


def _responses(results: WeeklyResults, key: Key) -> int:
    kind, area = key
    if kind is QuestionKind.PULSE:
        return results.pulse_responses
    if kind is QuestionKind.NPS:
        return results.nps_responses
    assert area is not None
    return results.icsq_responses[area.value]


ALL_KEYS: list[Key] = [
    (QuestionKind.PULSE, None),
    (QuestionKind.NPS, None),
    *((QuestionKind.ICSQ, area) for area in ICSQ_ROTATION),
]


@pytest.mark.parametrize("seed", range(40))
def test_results_only_ever_rest_on_weeks_with_enough_answers(seed: int) -> None:
    rng = random.Random(seed)
    minimum = rng.randint(3, 7)
    weeks = [f"2026-W{n:02d}" for n in range(40, 40 + rng.randint(1, 6))]
    answers = _random_answers(rng, weeks)
    groups = _grouped(answers)
    results = weekly_results(answers, minimum=minimum)

    for key in ALL_KEYS:
        counted = _counted(groups, key, minimum)
        assert all(len(scores) >= minimum for scores in counted.values())
        assert _responses(results, key) == sum(len(scores) for scores in counted.values())
        pooled = [score for scores in counted.values() for score in scores]
        assert sorted(countable(groups.get(key, {}), minimum=minimum)) == sorted(pooled)
        kind, area = key
        if kind is QuestionKind.PULSE:
            assert results.pulse_score == mean_rating(pooled)
        elif kind is QuestionKind.NPS:
            assert results.nps == nps(pooled)
            assert (
                results.nps_promoters,
                results.nps_passives,
                results.nps_detractors,
            ) == nps_counts(pooled)
            assert sum(nps_counts(pooled)) == results.nps_responses
        else:
            assert area is not None
            assert results.icsq[area.value] == mean_rating(pooled)

    assert results.pulse_responses == 0 or results.pulse_responses >= minimum
    assert results.nps_responses == 0 or results.nps_responses >= minimum
    assert all(n == 0 or n >= minimum for n in results.icsq_responses.values())


@pytest.mark.parametrize("seed", range(40))
def test_a_window_and_a_wider_one_never_differ_by_fewer_than_the_minimum(seed: int) -> None:
    rng = random.Random(1000 + seed)
    minimum = rng.randint(3, 7)
    weeks = [f"2026-W{n:02d}" for n in range(40, 46)]
    answers = _random_answers(rng, weeks)
    windows = [
        frozenset(weeks[start:end])
        for start in range(len(weeks))
        for end in range(start, len(weeks) + 1)
    ]
    reported = {
        window: weekly_results([a for a in answers if a.week in window], minimum=minimum)
        for window in windows
    }
    for narrow in windows:
        for wide in windows:
            if not narrow <= wide:
                continue
            for key in ALL_KEYS:
                difference = _responses(reported[wide], key) - _responses(reported[narrow], key)
                assert difference == 0 or difference >= minimum


def counted(answers: list[WeeklyAnswerRow]) -> list[WeeklyAnswerRow]:
    """The same answers as a database counts them: one row per week, question and score."""
    tally: dict[WeeklyAnswerRow, int] = {}
    for answer in answers:
        tally[answer] = tally.get(answer, 0) + 1
    return [
        WeeklyAnswerRow(row.week, row.kind, row.area, row.score, count)
        for row, count in tally.items()
    ]


@pytest.mark.parametrize("seed", range(20))
def test_answers_counted_give_the_results_of_answers_one_by_one(seed: int) -> None:
    chance = random.Random(seed)
    answers = [
        *pulse(W43, [chance.randint(1, 5) for _ in range(chance.randint(0, 9))]),
        *pulse(W44, [chance.randint(1, 5) for _ in range(chance.randint(0, 9))]),
        *nps_rows(W44, [chance.randint(0, 10) for _ in range(chance.randint(0, 12))]),
        *icsq(
            W45, IcsqArea.PRODUCTIVITY, [chance.randint(1, 5) for _ in range(chance.randint(0, 9))]
        ),
    ]
    comments = {W43: ["quick"], W44: ["slow"]}
    assert weekly_results(counted(answers), minimum=K, comments_by_week=comments) == (
        weekly_results(answers, minimum=K, comments_by_week=comments)
    )
