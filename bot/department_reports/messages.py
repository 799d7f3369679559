"""Block Kit for the weekly department report, and the figures a period shows against the
one before it (the report's two weeks; App Home's two 30-day periods)."""

from __future__ import annotations

from datetime import datetime

from bot.blockkit import FALLBACK_TEXT_MAX, Block, Message, context, fields, header, section
from bot.department_reports.rules import PulseWeek, WeeklyReport
from bot.reports.rules import DepartmentReport
from bot.text import escape, format_duration, slack_date, truncate, truncate_escaped, user_mention

NOT_ENOUGH = "not enough answers yet"


def percent(value: int | None) -> str:
    return "-" if value is None else f"{value}%"


def against(now: str, before: str) -> str:
    return now if now == before else f"{now} _(was {before})_"


def period_figures(last: DepartmentReport, before: DepartmentReport) -> list[str]:
    """A period's requests, times, service levels, CSAT and kudos, each beside the period
    before it. Times are medians in the department's working time."""

    def sla(report: DepartmentReport) -> str:
        return (
            f"first response {percent(report.first_response_sla_met)}, "
            f"resolution {percent(report.resolution_sla_met)}"
        )

    def csat(report: DepartmentReport) -> str:
        if not report.ratings:
            return "no ratings"
        return f"{percent(report.csat)} of {report.ratings} rating{'s' * (report.ratings != 1)}"

    def first(report: DepartmentReport) -> str:
        return format_duration(report.median_first_response_business_seconds)

    def resolution(report: DepartmentReport) -> str:
        return format_duration(report.median_resolution_business_seconds)

    return [
        f"*Requests filed*\n{against(str(last.requests), str(before.requests))}",
        f"*Median first response*\n{against(first(last), first(before))}",
        f"*Median resolution*\n{against(resolution(last), resolution(before))}",
        f"*Targets met*\n{against(sla(last), sla(before))}",
        f"*CSAT*\n{against(csat(last), csat(before))}",
        f"*Kudos received*\n{against(str(last.kudos), str(before.kudos))}",
    ]


def pulse_figure(pulse: PulseWeek | None, before: PulseWeek | None, *, minimum: int) -> str:
    if pulse is None:
        return f"*Pulse score*\n{NOT_ENOUGH}: no week's answers are final"
    if pulse.score is None:
        return (
            f"*Pulse score*, week of {pulse.monday:%d %b}\n{NOT_ENOUGH}: "
            f"fewer than {minimum} answered"
        )
    now = f"{pulse.score:.1f} of 5"
    earlier = "-" if before is None or before.score is None else f"{before.score:.1f} of 5"
    return f"*Pulse score*, week of {pulse.monday:%d %b}\n{against(now, earlier)}"


def build_weekly_report(report: WeeklyReport) -> Message:
    name = escape(report.department_name)
    title = f"{report.department_name}: the week to {report.until:%d %b}"
    if report.quiet:
        line = (
            f":zzz: *{name}*: a quiet week. Nothing was filed, resolved or rated, "
            "and nothing is open."
        )
        return {
            "text": truncate(f"{escape(title)}: a quiet week", FALLBACK_TEXT_MAX),
            "blocks": [section(line)],
        }
    blocks: list[Block] = [
        header(escape(title)),
        fields(
            *period_figures(report.last, report.before),
            pulse_figure(report.pulse, report.pulse_before, minimum=report.anonymity_minimum),
        ),
        context(
            f"The seven days to {slack_date(report.until)} against the seven before. Times are "
            "medians in working time; CSAT is the share of 4 and 5 ratings."
        ),
    ]
    if report.oldest:
        lines = [f"*Oldest open* ({report.open_total} open)"]
        for item in report.oldest:
            request = item.request
            reference = f"<{item.link}|{request.reference}>" if item.link else request.reference
            owner = (
                f" · {user_mention(request.assignee_id)}" if request.assignee_id else " · unclaimed"
            )
            filed = slack_date(request.created_at)
            lines.append(f"• {reference} {escape(request.summary)} · filed {filed}{owner}")
        blocks.append(section(truncate_escaped("\n".join(lines), 3000)))
    blocks.append(context(":chart_with_upwards_trend: The last 12 weeks are in the thread."))
    return {"text": truncate(escape(title), FALLBACK_TEXT_MAX), "blocks": blocks}


def heatmap_comment(until: datetime, weeks: int) -> str:
    return (
        f"ICSQ by department, the {weeks} weeks to {until:%d %b}. A cell stays empty until "
        "enough people have answered about that team."
    )
