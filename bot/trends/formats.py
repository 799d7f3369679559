"""Trends drawn as PNG pictures with matplotlib (its Agg backend: no screen, no global state).
Pure: figures in, bytes out."""

from __future__ import annotations

import io
import math

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from bot.trends.rules import Heatmap, Trend

BARS = "#4a90d9"
CSAT_LINE = "#2e8b57"
RESOLUTION_LINE = "#d2691e"
DPI = 100


def _or_nan(value: float | None) -> float:
    return math.nan if value is None else value


def trend_figure(trend: Trend) -> Figure:
    """Requests filed per week as bars; CSAT (%) and the median resolution time (hours) as
    lines on axes of their own, with a gap where a week has none."""
    figure = Figure(figsize=(10, 4.5), dpi=DPI)
    requests = figure.add_subplot()
    positions = list(range(len(trend.weeks)))
    requests.bar(positions, [week.requests for week in trend.weeks], color=BARS, label="Requests")
    requests.set_ylabel("Requests filed")
    requests.yaxis.set_major_locator(MaxNLocator(integer=True))
    # From zero, and to at least one: weeks without requests draw no negative axis.
    requests.set_ylim(0, max([1, *(week.requests for week in trend.weeks)]) * 1.15)
    requests.set_xticks(positions, [f"{week.monday:%d %b}" for week in trend.weeks], fontsize=8)
    requests.set_xlabel("Week beginning")
    csat = requests.twinx()
    csat.plot(
        positions,
        [_or_nan(week.csat) for week in trend.weeks],
        color=CSAT_LINE,
        marker="o",
        label="CSAT (%)",
    )
    csat.set_ylim(0, 100)
    csat.set_ylabel("CSAT (%)", color=CSAT_LINE)
    resolution = requests.twinx()
    resolution.spines["right"].set_position(("axes", 1.1))
    resolution.plot(
        positions,
        [_or_nan(week.median_resolution_hours) for week in trend.weeks],
        color=RESOLUTION_LINE,
        marker="s",
        label="Median resolution (h)",
    )
    resolution.set_ylim(bottom=0)
    resolution.set_ylabel("Median resolution (hours)", color=RESOLUTION_LINE)
    handles = [
        *requests.get_legend_handles_labels()[0],
        *csat.get_legend_handles_labels()[0],
        *resolution.get_legend_handles_labels()[0],
    ]
    requests.legend(handles=handles, loc="upper left", fontsize=8)
    requests.set_title(f"{trend.department_name}: the last {len(trend.weeks)} weeks")
    figure.tight_layout()
    return figure


def heatmap_figure(heatmap: Heatmap) -> Figure:
    """Departments by ICSQ areas, coloured from 1 (red) to 5 (green); a cell with too few
    answers is left empty."""
    rows = max(len(heatmap.departments), 1)
    figure = Figure(figsize=(2 + 1.6 * len(heatmap.areas), 1.2 + 0.45 * rows), dpi=DPI)
    axes = figure.add_subplot()
    scores = [[_or_nan(score) for score in row] for row in heatmap.scores] or [
        [math.nan] * len(heatmap.areas)
    ]
    image = axes.imshow(scores, cmap="RdYlGn", vmin=1, vmax=5, aspect="auto")
    axes.set_xticks(range(len(heatmap.areas)), [area.capitalize() for area in heatmap.areas])
    axes.set_yticks(range(len(heatmap.departments)), list(heatmap.departments))
    for row, values in enumerate(heatmap.scores):
        for column, score in enumerate(values):
            if score is not None:
                axes.text(column, row, f"{score:.1f}", ha="center", va="center", fontsize=9)
    figure.colorbar(image, ax=axes, label="ICSQ score (1-5)")
    axes.set_title("ICSQ by department (empty: too few answers)")
    figure.tight_layout()
    return figure


def png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    # Drawn by the Agg canvas it is given here: no pyplot, and none of its global state.
    FigureCanvasAgg(figure)
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
