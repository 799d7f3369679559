"""CSAT, mean rating, median and percentiles: None for no data, half-up rounding."""

from __future__ import annotations

import pytest

from bot.metrics import csat_percent, mean_rating, median, percentile, share_percent


@pytest.mark.parametrize(
    ("scores", "expected"),
    [
        pytest.param([], None, id="empty"),
        pytest.param([4, 5, 4, 5], 100, id="all-favourable"),
        pytest.param([5], 100, id="single-five"),
        pytest.param([1, 2, 3], 0, id="none-favourable"),
        pytest.param([3], 0, id="three-is-not-favourable"),
        pytest.param([4, 1, 1, 1, 1, 1, 1, 1], 13, id="1-of-8-12.5-up"),
        pytest.param([5, 5, 5, 5, 5, 1, 1, 1], 63, id="5-of-8-62.5-up"),
        pytest.param([4] + [3] * 39, 3, id="1-of-40-2.5-up"),
        pytest.param([4, 5, 2], 67, id="2-of-3"),
        pytest.param([4, 3, 2], 33, id="1-of-3"),
        pytest.param([5, 1], 50, id="half"),
        pytest.param([4] * 199 + [3], 100, id="99.5-up-to-100"),
        pytest.param([4] * 2 + [1] * 997, 0, id="0.2-down"),
    ],
)
def test_csat_percent(scores: list[int], expected: int | None) -> None:
    assert csat_percent(scores) == expected


@pytest.mark.parametrize(
    ("scores", "expected"),
    [
        pytest.param([], None, id="empty"),
        pytest.param([3], 3.0, id="single"),
        pytest.param([4, 5], 4.5, id="4.5"),
        pytest.param([1, 2, 2], 1.7, id="1.67-up"),
        pytest.param([1, 1, 2], 1.3, id="1.33-down"),
        pytest.param([1, 2, 3, 3], 2.3, id="2.25-half-up"),
        pytest.param([3, 3, 3, 4], 3.3, id="3.25-half-up"),
        pytest.param([1, 1, 1, 2], 1.3, id="1.25-half-up"),
        pytest.param([1] * 17 + [2] * 3, 1.2, id="1.15-half-up-despite-binary"),
        pytest.param([5, 5, 5], 5.0, id="all-five"),
        pytest.param([1, 5], 3.0, id="extremes"),
    ],
)
def test_mean_rating(scores: list[int], expected: float | None) -> None:
    assert mean_rating(scores) == expected


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        pytest.param([], None, id="empty"),
        pytest.param([42.0], 42.0, id="single"),
        pytest.param([3.0, 1.0, 2.0], 2.0, id="odd-unsorted"),
        pytest.param([4.0, 1.0, 3.0, 2.0], 2.5, id="even-interpolated"),
        pytest.param([10.0, 20.0], 15.0, id="two"),
        pytest.param([600.0, 1200.0, 1800.0, 3600.0], 1500.0, id="seconds"),
        pytest.param([5.0, 5.0, 5.0, 100.0], 5.0, id="ties"),
    ],
)
def test_median(values: list[float], expected: float | None) -> None:
    assert median(values) == expected


ONE_TO_TEN = [float(n) for n in range(1, 11)]


@pytest.mark.parametrize(
    ("values", "pct", "expected"),
    [
        pytest.param([], 90, None, id="empty"),
        pytest.param([7.0], 90, 7.0, id="single"),
        pytest.param(ONE_TO_TEN, 90, 9.1, id="p90-1-to-10"),
        pytest.param(list(reversed(ONE_TO_TEN)), 90, 9.1, id="p90-unsorted"),
        pytest.param(ONE_TO_TEN, 50, 5.5, id="p50-1-to-10"),
        pytest.param(ONE_TO_TEN, 0, 1.0, id="p0-is-min"),
        pytest.param(ONE_TO_TEN, 100, 10.0, id="p100-is-max"),
        pytest.param(ONE_TO_TEN, 25, 3.25, id="p25"),
        pytest.param([3600.0, 7200.0, 14400.0], 90, 12960.0, id="p90-three"),
        pytest.param([0.0, 100.0], 90, 90.0, id="p90-two"),
        pytest.param([6.0, 8.0, 12.0, 16.0, 25.0, 40.0], 50, 14.0, id="documented-median"),
        pytest.param([6.0, 8.0, 12.0, 16.0, 25.0, 40.0], 90, 32.5, id="documented-p90"),
    ],
)
def test_percentile(values: list[float], pct: float, expected: float | None) -> None:
    result = percentile(values, pct)
    if expected is None:
        assert result is None
    else:
        assert result == pytest.approx(expected)


def test_median_is_the_50th_percentile_and_leaves_input_alone() -> None:
    values = [9.0, 2.0, 7.0, 4.0, 1.0, 8.0]
    assert median(values) == percentile(values, 50) == 5.5
    assert values == [9.0, 2.0, 7.0, 4.0, 1.0, 8.0]


@pytest.mark.parametrize(
    ("hits", "total", "expected"),
    [(0, 0, None), (1, 4, 25), (2, 3, 67), (1, 8, 13), (3, 3, 100), (0, 5, 0)],
)
def test_share_percent_rounds_half_up_and_has_none_without_a_total(
    hits: int, total: int, expected: int | None
) -> None:
    assert share_percent(hits, total) == expected
