"""Command line: `python -m bot run | serve | sandbox | manifest | migrate | jobs | pulse | report`
(also installed as `pulsedesk`)."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from urllib.parse import urlparse

from pydantic import ValidationError

from bot.cli_output import print_report, write_chart, write_export
from bot.db import create_db_engine, create_session_factory, migrate, read_session
from bot.departments import DepartmentsFileError
from bot.exports.flows import FORMATS
from bot.jobs import JobState, list_jobs
from bot.logs import configure_logging
from bot.manifest import build_manifest
from bot.settings import ConfigError, Settings
from bot.tables import format_table
from bot.trends.rules import WEEKS_MAX

logger = logging.getLogger("bot")


def _load_settings() -> Settings:
    try:
        return Settings()
    except ValidationError as error:
        first = error.errors()[0]
        message = first["msg"].removeprefix("Value error, ")
        if not first["loc"]:
            # A rule across settings names them itself.
            raise ConfigError(message) from None
        raise ConfigError(f"{str(first['loc'][0]).upper()}: {message}") from None


JOB_LIST_STATES = (JobState.PENDING, JobState.RUNNING, JobState.FAILED)


def show_jobs(settings: Settings) -> int:
    migrate(settings.database_url)
    sessions = create_session_factory(create_db_engine(settings.database_url))
    with read_session(sessions) as session:
        jobs = list_jobs(session=session, states=JOB_LIST_STATES)
    if not jobs:
        print("No pending, running or failed jobs.")
        return 0
    rows = [("ID", "KIND", "STATE", "DUE (UTC)", "ATTEMPTS", "LAST ERROR")]
    for job in jobs:
        rows.append(
            (
                str(job.id),
                job.kind,
                job.state.value,
                f"{job.due_at:%Y-%m-%d %H:%M:%S}",
                str(job.attempts),
                (job.last_error or "").splitlines()[0][:80] if job.last_error else "",
            )
        )
    sys.stdout.write(format_table(rows, right_aligned=frozenset({0, 4})))
    return 0


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{value}' is not a date like 2026-01-31") from None


def _chart_weeks(value: str) -> int:
    if not value.isdigit() or not 1 <= int(value) <= WEEKS_MAX:
        raise argparse.ArgumentTypeError(f"--weeks must be a whole number from 1 to {WEEKS_MAX}")
    return int(value)


def _positive_days(value: str) -> int:
    try:
        days = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{value}' is not a whole number of days") from None
    if not 1 <= days <= 3650:
        raise argparse.ArgumentTypeError("--days must be between 1 and 3650")
    return days


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="pulsedesk", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser(
        "run", help="serve Slack when SLACK_BOT_TOKEN is set, else open the local sandbox"
    )
    commands.add_parser(
        "serve", help="run the bot (HTTP mode, or Socket Mode with SLACK_APP_TOKEN)"
    )
    sandbox = commands.add_parser(
        "sandbox", help="run the bot against a local Slack in the browser (no workspace needed)"
    )
    sandbox.add_argument(
        "--no-browser", action="store_true", help="print the page's address; open no browser"
    )
    manifest = commands.add_parser("manifest", help="print the Slack app manifest (JSON)")
    manifest.add_argument("--url", help="public base URL of the bot, e.g. https://desk.example.com")
    manifest.add_argument(
        "--socket-mode", action="store_true", help="a manifest for Socket Mode (no URL needed)"
    )
    commands.add_parser("migrate", help="apply database migrations and exit")
    jobs = commands.add_parser(
        "jobs", help="list pending, running and failed jobs, or run the due ones"
    )
    jobs.add_argument(
        "action",
        nargs="?",
        choices=["list", "run-due"],
        default="list",
        help="list (the default) or run-due: run what is due now, e.g. from cron",
    )
    pulse = commands.add_parser(
        "pulse", help="the weekly pulse: send this week's round now, or its status"
    )
    pulse.add_argument(
        "action",
        choices=["weekly", "status"],
        help="weekly: send this week's round now to all who have not had it; status: progress",
    )
    report = commands.add_parser("report", help="per-department results over the last days")
    report.add_argument(
        "subject",
        nargs="?",
        choices=["kudos", "chart", "heatmap"],
        help="kudos: the top receivers and givers, and kudos per department; chart: a "
        "department's weeks as a PNG (--department, --weeks, --out); heatmap: the ICSQ areas "
        "by department as a PNG (--out)",
    )
    report.add_argument("--department", help="chart: the department's key")
    report.add_argument(
        "--weeks", type=_chart_weeks, default=12, help="chart: how many weeks (default 12)"
    )
    report.add_argument("--out", type=Path, help="chart, heatmap: the PNG file to write")
    report.add_argument(
        "--days", type=_positive_days, default=30, help="window length (default 30)"
    )
    report.add_argument(
        "--format",
        dest="output_format",
        choices=["text", "json", "csv"],
        default="text",
        help="text (default), json or csv",
    )
    export = commands.add_parser("export", help="requests, or the weekly pulse's results, as rows")
    export.add_argument(
        "subject",
        choices=["requests", "pulse"],
        help="requests: one row per request; pulse: per department and week, as anonymity allows",
    )
    export.add_argument("--since", type=_date, required=True, help="first day (YYYY-MM-DD, UTC)")
    export.add_argument("--until", type=_date, help="the day after the last (default: tomorrow)")
    export.add_argument(
        "--format", dest="output_format", choices=FORMATS, default="csv", help="csv or json"
    )
    export.add_argument("--out", type=Path, help="a file to write (default: standard output)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "manifest":
        if not args.url and not args.socket_mode:
            print("manifest: give --url https://HOST (or --socket-mode)", file=sys.stderr)
            return 2
        url = args.url
        if url and (not url.startswith("https://") or not urlparse(url).hostname):
            print(
                "manifest: --url must start with https:// (Slack only calls HTTPS)", file=sys.stderr
            )
            return 2
        print(json.dumps(build_manifest(url=url, socket_mode=args.socket_mode), indent=2))
        return 0
    try:
        settings = _load_settings()
        sandboxed = args.command == "sandbox" or (
            args.command == "run" and not settings.has_slack_credentials
        )
        quiet = sandboxed and "log_level" not in settings.model_fields_set
        # The sandbox talks to a person at a terminal: warnings only, unless LOG_LEVEL says.
        configure_logging(logging.WARNING if quiet else settings.log_level_number)
        if args.command == "migrate":
            migrate(settings.database_url)
            logger.info("database.migrated")
            return 0
        if args.command == "jobs" and args.action == "list":
            return show_jobs(settings)
        if args.command == "report" and args.subject in ("chart", "heatmap"):
            return write_chart(
                settings,
                subject=args.subject,
                department=args.department,
                weeks=args.weeks,
                out=args.out,
                days=args.days,
            )
        if args.command == "report":
            return print_report(
                settings, days=args.days, output_format=args.output_format, subject=args.subject
            )
        if args.command == "export":
            return write_export(
                settings,
                subject=args.subject,
                since=args.since,
                until=args.until,
                output_format=args.output_format,
                out=args.out,
            )
        # Only now, for the commands that need it (see the module).
        from bot import cli_slack

        return cli_slack.run(args, settings)
    except (ConfigError, DepartmentsFileError) as error:
        print(f"pulsedesk: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
