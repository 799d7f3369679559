"""What the command line writes out: reports, read in one go, and exports, streamed."""

from __future__ import annotations

import sys
from contextlib import nullcontext
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import TextIO

from bot.clock import SystemClock
from bot.db import create_db_engine, create_session_factory, migrate, read_session
from bot.exports.flows import export_pulse, export_requests
from bot.reports import formats
from bot.reports import store as report_store
from bot.settings import Settings


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
