"""What a shared update quotes of its department's results, and how it reads."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.calendar import Week
from bot.weekly.rules import WeeklyResults, asks_nps, icsq_area
from bot.weekly.updates.messages import build_pulse_home, shared_update_line
from bot.weekly.updates.rules import LedDepartment, PulseHome, SharedUpdate, quote_result

MONDAYS = [Week.of(datetime(2026, 11, 2, tzinfo=UTC).date())]
for _ in range(4):
    MONDAYS.append(Week(MONDAYS[-1].monday + timedelta(days=7)))
ICSQ_WEEK = next(week for week in MONDAYS if not asks_nps(week))
NPS_WEEK = next(week for week in MONDAYS if asks_nps(week))


def _results(**values: object) -> WeeklyResults:
    return WeeklyResults(**values)  # type: ignore[arg-type]


def test_the_weeks_rotating_area_is_quoted_first() -> None:
    area = icsq_area(ICSQ_WEEK).value
    results = _results(
        pulse_score=4.2,
        pulse_responses=6,
        icsq={area: 2.8},
        icsq_responses={area: 7},
    )
    quote = quote_result(results, ICSQ_WEEK)
    assert quote is not None
    assert (quote.metric, quote.score, quote.responses) == (area, 2.8, 7)


def test_the_pulse_score_when_the_area_had_too_few_answers() -> None:
    quote = quote_result(_results(pulse_score=4.2, pulse_responses=6), ICSQ_WEEK)
    assert quote is not None
    assert (quote.metric, quote.score) == ("pulse", 4.2)


def test_nps_weeks_quote_the_nps() -> None:
    quote = quote_result(_results(nps=-10, nps_responses=8, pulse_score=3.0), NPS_WEEK)
    assert quote is not None
    assert (quote.metric, quote.score, quote.responses) == ("nps", -10.0, 8)


def test_nothing_is_quoted_below_the_anonymity_minimum() -> None:
    assert quote_result(WeeklyResults(), ICSQ_WEEK) is None


@pytest.mark.parametrize("with_result", [True, False])
def test_the_line_escapes_the_departments_words(with_result: bool) -> None:
    quote = quote_result(_results(pulse_score=3.0, pulse_responses=5), ICSQ_WEEK)
    update = SharedUpdate(
        1, 7, "R&D <Ops>", "<!here> fixed & done", datetime.now(UTC), quote if with_result else None
    )
    line = shared_update_line(update)
    assert "&lt;!here&gt; fixed &amp; done" in line
    assert "R&amp;D &lt;Ops&gt;" in line
    assert ("Last time you told" in line) is with_result


def test_home_shows_nothing_of_the_pulse_when_there_is_nothing() -> None:
    assert build_pulse_home(PulseHome()) == []
    lead = build_pulse_home(PulseHome(led=[LedDepartment(7, "IT", None)]))
    assert [b["type"] for b in lead] == ["divider", "header", "section", "context"]
    assert lead[2]["accessory"]["action_id"] == "weekly_share"
