"""What leads and admins see on App Home: each of their departments over the last 30 days
against the 30 before, its weekly pulse within the anonymity rules, the figures that explain
each other side by side, and its 12-week chart; for admins, the ICSQ heatmap."""

from __future__ import annotations

from collections.abc import Mapping

from bot.blockkit import Block, actions, button, context, fields, header, section, slack_image
from bot.department_reports.messages import NOT_ENOUGH, against, percent, period_figures
from bot.ids import ActionId
from bot.reports.rules import DepartmentReport
from bot.satisfaction.rules import TeamFeedback
from bot.text import escape
from bot.weekly.rules import ICSQ_ROTATION, IcsqArea, WeeklyResults

TREND_ALT_TEXT = (
    "Requests filed per week as bars, with CSAT and the median resolution time as lines, "
    "over the last 12 weeks."
)
HEATMAP_ALT_TEXT = (
    "ICSQ scores from 1 to 5, departments by area; a cell with too few answers is empty."
)


def lead_blocks(
    feedback: TeamFeedback, *, charts: Mapping[str, str], heatmap: str | None
) -> list[Block]:
    """A page of the viewer's departments. `charts`: the latest 12-week chart of each
    department (its key) by file id; `heatmap`: the latest ICSQ heatmap sent to this admin."""
    before = {d.key: d for d in feedback.before}
    blocks: list[Block] = [
        header(f"Your teams: the last {feedback.days} days"),
        context(
            f"Each figure beside the {feedback.days} days before it. Times are medians in "
            "working time; CSAT is the share of 4 and 5 ratings; pulse scores count only weeks "
            f"in which at least {feedback.anonymity_minimum} people answered about the team."
        ),
    ]
    for department in feedback.departments:
        blocks += _department_blocks(
            department,
            before.get(department.key) or department,
            chart=charts.get(department.key),
        )
    if feedback.pages > 1:
        blocks.append(_pager(feedback.page, feedback.pages))
    if heatmap is not None:
        blocks += [
            header("ICSQ by department"),
            slack_image(heatmap, alt_text=HEATMAP_ALT_TEXT, title="The last 12 weeks"),
        ]
    return blocks


def _department_blocks(
    last: DepartmentReport, before: DepartmentReport, *, chart: str | None
) -> list[Block]:
    pulse = last.weekly
    figures = [
        *period_figures(last, before),
        f"*Still open*\n{against(str(last.open), str(before.open))}",
        f"*Pulse score*\n{_score(pulse.pulse_score, before.weekly.pulse_score)}",
        f"*NPS*\n{_nps(pulse, before.weekly)}",
    ]
    blocks: list[Block] = [
        section(f"*{escape(last.name)}*"),
        fields(*figures),
        context(_icsq_line(pulse), _cross_links(last)),
    ]
    if chart is not None:
        blocks.append(
            slack_image(chart, alt_text=TREND_ALT_TEXT, title=f"{last.name}: the last 12 weeks")
        )
    return blocks


def _score(now: float | None, before: float | None) -> str:
    if now is None:
        return NOT_ENOUGH
    return against(f"{now:.1f} of 5", "-" if before is None else f"{before:.1f} of 5")


def _nps(now: WeeklyResults, before: WeeklyResults) -> str:
    if now.nps is None:
        return NOT_ENOUGH
    return against(f"{now.nps:+d}", "-" if before.nps is None else f"{before.nps:+d}")


def _icsq_line(results: WeeklyResults) -> str:
    areas = []
    for area in ICSQ_ROTATION:
        score = results.icsq.get(area.value)
        shown = NOT_ENOUGH if score is None else f"{score:.1f}"
        areas.append(f"{area.value.capitalize()} {shown}")
    return "*ICSQ* " + " · ".join(areas)


def _cross_links(department: DepartmentReport) -> str:
    """Figures none of the separate tools set side by side: what people say about the team's
    responsiveness beside whether it kept its targets, and their satisfaction beside the
    thanks its agents got, over the same days."""
    responsiveness = department.weekly.icsq.get(IcsqArea.RESPONSIVENESS.value)
    said = "not enough answers yet" if responsiveness is None else f"{responsiveness:.1f} of 5"
    return (
        f"*Responsiveness* as people rate it: {said}, beside first responses on target: "
        f"{percent(department.first_response_sla_met)}. *CSAT* {percent(department.csat)} "
        f"beside {department.kudos} kudos to its agents."
    )


def _pager(page: int, pages: int) -> Block:
    buttons = []
    if page > 1:
        buttons.append(
            button(
                "Previous departments",
                action_id=ActionId.HOME_PAGE_PREVIOUS,
                value=f"leads:{page - 1}",
            )
        )
    if page < pages:
        buttons.append(
            button("More departments", action_id=ActionId.HOME_PAGE_NEXT, value=f"leads:{page + 1}")
        )
    return actions(*buttons)


def read_page(value: str) -> int:
    """The page a Home paging button asks for; the first for anything else."""
    kind, _, number = value.partition(":")
    if kind != "leads" or not number.isascii() or not number.isdigit():
        return 1
    return max(1, min(int(number), 1000))
