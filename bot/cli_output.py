"""What the command line writes out: reports, read in one go, and exports, streamed."""

from __future__ import annotations

import sys
from contextlib import nullcontext
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import TextIO

from bot.clock import SystemClock
from bot.db import create_db_engine, create_session_factory, migrate, read_session
from bot.errors import NotFound
from bot.exports.flows import export_pulse, export_requests
from bot.reports import formats
from bot.reports import store as report_store
from bot.settings import Settings
from bot.trends import store as trends_store
from bot.trends.rules import last_weeks


def print_report(
    settings: Settings, *, days: int, output_format: str, subject: str | None = None
) -> int:
    migrate(settings.database_url)
    sessions = create_session_factory(create_db_engine(settings.database_url))
    now = SystemClock().now()
    with read_session(sessions) as session:
        if subject == "kudos":
            kudos_report = report_store.build_kudos_report(session=session, now=now, days=days)
            kudos_renderers = {
                "text": formats.render_kudos_text,
                "json": formats.render_kudos_json,
                "csv": formats.render_kudos_csv,
            }
            sys.stdout.write(kudos_renderers[output_format](kudos_report))
        else:
            report = report_store.build_report(
                session=session,
                now=now,
                days=days,
                anonymity_minimum=settings.anonymity_min_responses,
            )
            renderers = {
                "text": formats.render_text,
                "json": formats.render_json,
                "csv": formats.render_csv,
            }
            sys.stdout.write(renderers[output_format](report))
    if output_format == "json":
        sys.stdout.write("\n")
    return 0


def write_export(
    settings: Settings,
    *,
    subject: str,
    since: date,
    until: date | None,
    output_format: str,
    out: Path | None,
) -> int:
    """Every request filed from `since` to the day before `until` (tomorrow by default), in
    UTC days, or the weekly pulse's results of the weeks final by then, to `out` or standard
    output; how many rows is said on standard error."""
    migrate(settings.database_url)
    sessions = create_session_factory(create_db_engine(settings.database_url))
    now = SystemClock().now()
    last = until or (now.date() + timedelta(days=1))
    if last <= since:
        print("export: --until must be after --since", file=sys.stderr)
        return 2
    target: nullcontext[TextIO] | TextIO = (
        out.open("w", encoding="utf-8", newline="") if out else nullcontext(sys.stdout)
    )
    start = datetime.combine(since, time(), tzinfo=UTC)
    end = min(datetime.combine(last, time(), tzinfo=UTC), now)
    with target as stream:
        if subject == "pulse":
            written = export_pulse(
                sessions,
                since=start,
                until=end,
                minimum=settings.anonymity_min_responses,
                output_format=output_format,
                out=stream,
            )
        else:
            written = export_requests(
                sessions,
                since=start,
                until=datetime.combine(last, time(), tzinfo=UTC),
                now=now,
                output_format=output_format,
                out=stream,
            )
    print(f"export: {written} {'rows' if subject == 'pulse' else 'requests'}", file=sys.stderr)
    return 0


def write_chart(
    settings: Settings,
    *,
    subject: str,
    department: str | None,
    weeks: int,
    out: Path | None,
    days: int,
) -> int:
    """A department's last `weeks` weeks (chart), or every department's ICSQ areas over the
    last `days` days (heatmap), as a PNG file."""
    if out is None or (subject == "chart" and not department):
        needs = "--out" if subject == "heatmap" else "--department and --out"
        print(f"report {subject}: give {needs}", file=sys.stderr)
        return 2
    # matplotlib takes half a second to import: only the pictures pay for it, not `report`.
    from bot.trends.formats import heatmap_figure, png, trend_figure

    migrate(settings.database_url)
    sessions = create_session_factory(create_db_engine(settings.database_url))
    now = SystemClock().now()
    with read_session(sessions) as session:
        if subject == "chart":
            try:
                trend = trends_store.department_trend(
                    session=session,
                    department_key=str(department),
                    weeks=last_weeks(now.date(), weeks),
                )
            except NotFound as missing:
                print(f"report chart: {missing.message}", file=sys.stderr)
                return 2
            figure = trend_figure(trend)
        else:
            figure = heatmap_figure(
                trends_store.icsq_heatmap(
                    session=session,
                    now=now,
                    days=days,
                    minimum=settings.anonymity_min_responses,
                )
            )
    out.write_bytes(png(figure))
    print(f"report {subject}: wrote {out}", file=sys.stderr)
    return 0
