"""A department's weeks and the ICSQ heatmap, from a real database (SQLite, or
TEST_DATABASE_URL) to PNG: the figures worked out by hand, one bar per week, a point per week
with data, and an empty cell where too few answered."""

from __future__ import annotations

import math
import struct
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy
from matplotlib.axes import Axes

from bot.db import SessionFactory
from bot.departments import parse_departments
from bot.requests.departments import store as department_store
from bot.requests.rules import RequestAction
from bot.trends import store as trends_store
from bot.trends.formats import heatmap_figure, png, trend_figure
from bot.trends.rules import Heatmap, last_weeks
from tests.services.reports.test_store import TEAM, Desk

# Monday 2 November 2026, 09:00 UTC.
MONDAY = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
DEPARTMENTS = """
[[departments]]
key = "it"
name = "IT Help Desk"
channel = "C0IT000001"
"""
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _filed(session_factory: SessionFactory) -> None:
    configs = parse_departments(Path("departments.toml"), DEPARTMENTS)
    with session_factory.begin() as session:
        department_store.sync_departments(
            session=session, team_id=TEAM, configs=configs, now=MONDAY
        )
        desk = Desk(session)
        # Week of 2 November: two filed, both resolved after 2 h and 4 h, rated 5 and 2.
        for hours, score in ((2, 5), (4, 2)):
            request = desk.file("it", MONDAY)
            request = desk.act(request, RequestAction.RESOLVE, MONDAY + timedelta(hours=hours))
            desk.rate(request, score, MONDAY + timedelta(hours=hours + 1))
        # Week of 16 November: three filed, none resolved.
        for _ in range(3):
            desk.file("it", MONDAY + timedelta(days=14))


def _weeks() -> list[str]:
    return [week.key for week in last_weeks(date(2026, 11, 30), 5)]


def test_a_departments_weeks_are_counted_in_the_week_they_happened(
    session_factory: SessionFactory,
) -> None:
    _filed(session_factory)
    with session_factory() as session:
        trend = trends_store.department_trend(
            session=session, department_key="it", weeks=last_weeks(date(2026, 11, 30), 5)
        )

    assert [week.week for week in trend.weeks] == _weeks()
    # The five weeks begin on Mondays 2 to 30 November.
    assert [week.requests for week in trend.weeks] == [2, 0, 3, 0, 0]
    # One of two ratings is 4 or 5: CSAT 50. Resolutions after 2 h and 4 h: median 3 h.
    first = trend.weeks[0]
    assert (first.csat, first.median_resolution_hours) == (50, 3.0)
    assert trend.weeks[2].csat is None
    assert not trend.quiet


def test_the_chart_has_a_bar_per_week_and_a_point_per_week_with_data(
    session_factory: SessionFactory,
) -> None:
    _filed(session_factory)
    with session_factory() as session:
        trend = trends_store.department_trend(
            session=session, department_key="it", weeks=last_weeks(date(2026, 11, 30), 12)
        )

    figure = trend_figure(trend)
    requests, csat, resolution = figure.get_axes()
    assert len(requests.patches) == 12
    assert [bar.get_height() for bar in requests.patches][-5:] == [2, 0, 3, 0, 0]
    assert _points(csat) == 1
    assert _points(resolution) == 1
    picture = png(figure)
    assert picture.startswith(PNG_SIGNATURE)
    width, height = struct.unpack(">II", picture[16:24])
    assert (width, height) == (1000, 450)


def _points(axes: Axes) -> int:
    [line] = axes.get_lines()
    return sum(1 for y in line.get_ydata() if not math.isnan(float(y)))


def test_the_heatmap_leaves_a_cell_empty_where_too_few_answered() -> None:
    heatmap = Heatmap(
        departments=("IT", "HR"),
        areas=("communication", "productivity", "responsiveness"),
        scores=((4.2, None, 3.1), (None, None, 2.0)),
    )
    figure = heatmap_figure(heatmap)
    axes = figure.get_axes()[0]
    assert sorted(text.get_text() for text in axes.texts) == ["2.0", "3.1", "4.2"]
    cells = axes.get_images()[0].get_array()
    assert numpy.ma.getmaskarray(cells).tolist() == [
        [False, True, False],
        [True, True, False],
    ]
    assert png(figure).startswith(PNG_SIGNATURE)


def test_the_heatmap_reads_the_reports_icsq_scores(session_factory: SessionFactory) -> None:
    _filed(session_factory)
    with session_factory() as session:
        heatmap = trends_store.icsq_heatmap(
            session=session, now=MONDAY + timedelta(days=28), days=30, minimum=5
        )
    # Nobody answered the weekly pulse: the department is there, every cell empty.
    assert heatmap.departments == ("IT Help Desk",)
    assert heatmap.scores == ((None, None, None),)


def test_a_workspace_draws_its_own_department_of_a_key_another_has_too(
    session_factory: SessionFactory,
) -> None:
    configs = parse_departments(Path("departments.toml"), DEPARTMENTS)
    with session_factory.begin() as session:
        # Another workspace, synced first, with an "it" of its own and nothing filed.
        department_store.sync_departments(
            session=session, team_id="T0ELSEWHERE", configs=configs, now=MONDAY
        )
    _filed(session_factory)
    with session_factory() as session:
        ours = trends_store.department_trend(
            session=session,
            department_key="it",
            weeks=last_weeks(date(2026, 11, 30), 5),
            team_id=TEAM,
        )
        theirs = trends_store.department_trend(
            session=session,
            department_key="it",
            weeks=last_weeks(date(2026, 11, 30), 5),
            team_id="T0ELSEWHERE",
        )

    assert [week.requests for week in ours.weeks] == [2, 0, 3, 0, 0]
    assert theirs.quiet
