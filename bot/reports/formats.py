"""Reports as people read them at the command line: text tables, JSON and CSV. Pure: a report
in, text out."""

from __future__ import annotations

import csv
import io
import json

from bot.reports.rules import DepartmentReport, KudosReport, Report
from bot.tables import format_table, one_line
from bot.text import clean_input, format_duration
from bot.weekly.rules import ICSQ_ROTATION

# A spreadsheet runs a cell that starts with one of these as a formula (OWASP, CSV injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: object, *, keep_lines: bool = False) -> object:
    """A value as it may go into a CSV cell: text that a spreadsheet would run as a formula is
    prefixed with a quote, as OWASP recommends, and loses the control characters (a carriage
    return would end the row) and, unless `keep_lines`, its line breaks (a quoted cell keeps
    them); numbers stay numbers, and truth values are written true or false."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if not isinstance(value, str):
        return value
    text = clean_input(value)
    if not keep_lines:
        text = text.replace("\n", " ")
    return "'" + text if value.startswith(_FORMULA_STARTS) else text


def render_json(report: Report) -> str:
    return json.dumps(report.as_json(), indent=2)


CSV_COLUMNS = [
    "key",
    "name",
    "requests",
    "open",
    "resolved",
    "median_first_response_seconds",
    "median_resolution_seconds",
    "csat",
    "ratings",
    "avg_rating",
    "p90_first_response_seconds",
    "p90_resolution_seconds",
    "team_id",
    "pulse_score",
    "pulse_responses",
    "nps",
    "nps_responses",
    "nps_promoters",
    "nps_passives",
    "nps_detractors",
    *(f"icsq_{area.value}" for area in ICSQ_ROTATION),
    "kudos",
    "kudos_per_100_handled",
    "first_response_sla_met",
    "resolution_sla_met",
    "overdue_open",
    "median_first_response_business_seconds",
    "median_resolution_business_seconds",
]


def option_columns(report: Report) -> dict[str, tuple[str, str]]:
    """After the fixed columns, one per option of a select question, `<question>=<option>`,
    in the order the departments list them: (question, option) by column name."""
    columns: dict[str, tuple[str, str]] = {}
    for department in report.departments:
        for question, counts in department.field_options.items():
            for choice in counts:
                columns.setdefault(str(csv_cell(f"{question}={choice}")), (question, choice))
    return columns


def render_csv(report: Report) -> str:
    out = io.StringIO()
    options = option_columns(report)
    writer = csv.DictWriter(out, fieldnames=[*CSV_COLUMNS, *options], lineterminator="\n")
    writer.writeheader()
    for department in report.departments:
        row = department.as_json()
        for area in ICSQ_ROTATION:
            row[f"icsq_{area.value}"] = department.weekly.icsq.get(area.value)
        cells = {key: csv_cell(row[key]) for key in CSV_COLUMNS}
        for column, (question, choice) in options.items():
            # Empty where the department does not ask the question or offer the option.
            cells[column] = department.field_options.get(question, {}).get(choice, "")
        writer.writerow(cells)
    return out.getvalue()


def _sla_met(department: DepartmentReport) -> str:
    """First response and resolution targets met, as `95%/80%`; `-` where none was set."""
    shares = (department.first_response_sla_met, department.resolution_sla_met)
    if shares == (None, None):
        return "-"
    return "/".join("-" if share is None else f"{share}%" for share in shares)


def render_text(report: Report) -> str:
    header = (
        "Department",
        "Requests",
        "Open",
        "Resolved",
        "1st response",
        "Resolution",
        "CSAT",
        "Ratings",
        "Avg",
        "SLA met",
        "Overdue",
        "Kudos",
    )
    rows = [header]
    for d in report.departments:
        rows.append(
            (
                d.name,
                str(d.requests),
                str(d.open),
                str(d.resolved),
                format_duration(d.median_first_response_seconds),
                format_duration(d.median_resolution_seconds),
                "-" if d.csat is None else f"{d.csat}%",
                str(d.ratings),
                "-" if d.avg_rating is None else f"{d.avg_rating:.1f}",
                _sla_met(d),
                str(d.overdue_open),
                str(d.kudos),
            )
        )
    title = (
        f"Last {report.days} days ({report.since:%Y-%m-%d %H:%M} to {report.until:%Y-%m-%d %H:%M} "
        "UTC). Times are medians in calendar time; CSAT is the share of 4-5 ratings.\n\n"
    )
    if len(rows) == 1:
        return title + "No departments yet.\n"
    return (
        title
        + format_table(rows, right_aligned=frozenset(range(1, len(header))))
        + "\n"
        + _render_choices_text(report)
        + _render_weekly_text(report)
    )


def _render_choices_text(report: Report) -> str:
    """What requesters chose in the departments' select questions, where any asks one."""
    lines = [
        f"  {one_line(d.name)}, {question}: "
        + ", ".join(f"{one_line(choice)} {count}" for choice, count in counts.items())
        for d in report.departments
        for question, counts in d.field_options.items()
    ]
    if not lines:
        return ""
    return "Requests per option of the forms' select questions:\n" + "\n".join(lines) + "\n\n"


def _score(value: float | int | None, count: int) -> str:
    if value is None:
        return "-"
    shown = f"{value:.1f}" if isinstance(value, float) else str(value)
    return f"{shown} ({count})"


def _render_weekly_text(report: Report) -> str:
    header = ("Department", "Pulse", "NPS", *(area.value.capitalize() for area in ICSQ_ROTATION))
    rows = [header]
    for d in report.departments:
        pulse = d.weekly
        rows.append(
            (
                d.name,
                _score(pulse.pulse_score, pulse.pulse_responses),
                _score(pulse.nps, pulse.nps_responses),
                *(
                    _score(pulse.icsq.get(area.value), pulse.icsq_responses.get(area.value, 0))
                    for area in ICSQ_ROTATION
                ),
            )
        )
    last = report.weekly_pulse
    if last["week"] is None:
        round_line = "No weekly pulse round yet."
    else:
        rate = "-" if last["response_rate"] is None else f"{last['response_rate']}%"
        round_line = (
            f"Last round {last['week']}: {last['sent']} sent, {last['answered']} answered "
            f"(response rate {rate})."
        )
    comment_lines = [
        line
        for d in report.departments
        if d.weekly.comments
        for line in (
            f"Comments about {one_line(d.name)}:",
            *(f"  - {one_line(text)}" for text in d.weekly.comments),
        )
    ]
    comment_lines += [
        line
        for d in report.departments
        if d.shared_updates
        for line in (
            f"What {one_line(d.name)} shared it is doing:",
            *(f"  - {one_line(u['text'])}" for u in d.shared_updates),
        )
    ]
    comments = "\n".join(comment_lines) + "\n" if comment_lines else ""
    return (
        "Weekly pulse, anonymous: means with their number of answers in brackets; a week with "
        f"fewer than {report.anonymity_minimum} answers to a question is left out.\n\n"
        + format_table(rows, right_aligned=frozenset(range(1, len(header))))
        + "\n"
        + round_line
        + "\n"
        + ("\n" + comments if comments else "")
    )


def render_kudos_json(report: KudosReport) -> str:
    return json.dumps(report.as_json(), indent=2)


KUDOS_CSV_COLUMNS = ["list", "rank", "user_id", "name", "kudos"]


def render_kudos_csv(report: KudosReport) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=KUDOS_CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    values = report.as_json()
    for listed in ("top_receivers", "top_givers"):
        for rank, person in enumerate(values[listed], 1):
            writer.writerow(
                {
                    "list": listed,
                    "rank": rank,
                    "user_id": csv_cell(person["user_id"]),
                    "name": csv_cell(person["name"]),
                    "kudos": person["kudos"],
                }
            )
    return out.getvalue()


def render_kudos_text(report: KudosReport) -> str:
    values = report.as_json()
    title = (
        f"Kudos in the last {report.days} days ({report.since:%Y-%m-%d %H:%M} to "
        f"{report.until:%Y-%m-%d %H:%M} UTC): {report.tally.kudos} kudos, "
        f"{report.tally.shoutouts} shout-outs.\n\n"
    )
    sections = []
    for listed, label in (("top_receivers", "Most thanked"), ("top_givers", "Most thankful")):
        rows = [("#", label, "User ID", "Kudos")]
        rows += [
            (str(rank), person["name"] or "-", person["user_id"], str(person["kudos"]))
            for rank, person in enumerate(values[listed], 1)
        ]
        body = (
            format_table(rows, right_aligned=frozenset({0, 3}))
            if len(rows) > 1
            else f"{label}: nobody yet."
        )
        sections.append(body)
    rows = [("Department", "Kudos", "Resolved", "Per 100 handled")]
    for department in report.departments:
        rate = department.kudos_per_100_handled
        rows.append(
            (
                department.name,
                str(department.kudos),
                str(department.resolved),
                "-" if rate is None else f"{rate:g}",
            )
        )
    departments = (
        format_table(rows, right_aligned=frozenset({1, 2, 3}))
        if len(rows) > 1
        else "No departments yet."
    )
    return title + "\n\n".join(sections) + "\n\n" + departments + "\n"
