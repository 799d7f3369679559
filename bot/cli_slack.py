"""The commands that work with Slack, or with the sandbox's: serve, run, sandbox, jobs run-due
and pulse. The command line imports this module only for them: the app's modules take most of a
second to import, which the commands that only read the database do without."""

from __future__ import annotations

import argparse
import logging
import signal
import time
from types import FrameType

from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.app import create_app, sync_departments_at_start
from bot.calendar import Week
from bot.clock import SystemClock
from bot.db import migrate
from bot.departments import load_config
from bot.sandbox.run import NO_CREDENTIALS, run_sandbox
from bot.scheduler import start_scheduler
from bot.server import HttpServer
from bot.services import Services
from bot.settings import ConfigError, Settings
from bot.slack import Installation
from bot.slack_client import build_web_client

logger = logging.getLogger("bot")


def run(args: argparse.Namespace, settings: Settings) -> int:
    if args.command == "jobs":
        return run_due_jobs(settings)
    if args.command == "pulse":
        if args.action == "weekly":
            return send_weekly_pulse(settings)
        return print_pulse_status(settings)
    if args.command == "sandbox":
        run_sandbox(settings, reason=None, open_browser=not args.no_browser)
    elif args.command == "run" and not settings.has_slack_credentials:
        run_sandbox(settings, reason=NO_CREDENTIALS, open_browser=True)
    else:
        serve(settings)
    return 0


def _client(settings: Settings) -> WebClient:
    token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else None
    return build_web_client(token=token, base_url=settings.slack_api_url)


def _installation(client: WebClient) -> Installation:
    """The workspace and app the token belongs to; also proves the token works."""
    try:
        identity = client.auth_test()
    except SlackApiError as error:
        raise ConfigError(
            f"Slack refused SLACK_BOT_TOKEN ({error.response.get('error')}): copy the current "
            "Bot User OAuth Token from your Slack app's 'OAuth & Permissions' page"
        ) from None
    app_id = identity.get("app_id")
    return Installation(str(identity["team_id"]), str(app_id) if app_id else None)


def serve(settings: Settings) -> None:
    settings.require_slack_credentials()
    config = load_config(settings.departments_file)
    migrate(settings.database_url)
    client = _client(settings)
    installation = _installation(client)
    team_id = installation.team_id
    clock = SystemClock()
    pulsedesk = create_app(
        settings,
        client=client,
        clock=clock,
        kudos_values=config.kudos_values,
        installation=installation,
    )
    sync_departments_at_start(
        session_factory=pulsedesk.session_factory,
        configs=config.departments,
        team_id=team_id,
        clock=clock,
    )
    pulsedesk.services.rounds.schedule_round(team_id=team_id)
    pulsedesk.services.standings.schedule_digest(team_id=team_id)
    pulsedesk.services.department_reports.schedule(team_id=team_id)
    scheduler = None
    if settings.jobs_poll_seconds > 0:
        scheduler = start_scheduler(
            pulsedesk.services.ticker, interval_seconds=settings.jobs_poll_seconds
        )

    def finish() -> None:
        if scheduler is not None:
            scheduler.shutdown(wait=True)
        pulsedesk.finish_work()

    if settings.socket_mode:
        assert settings.slack_app_token is not None
        logger.info("server.starting", extra={"mode": "socket", "team_id": team_id})
        handler = SocketModeHandler(pulsedesk.app, settings.slack_app_token.get_secret_value())
        try:
            handler.start()  # type: ignore[no-untyped-call]
        finally:
            finish()
        return

    server = HttpServer(pulsedesk, host="0.0.0.0", port=settings.port)  # noqa: S104

    def stop(signum: int, _frame: FrameType | None) -> None:
        logger.info("server.stopping", extra={"signal": signum})
        server.stop()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    logger.info("server.starting", extra={"mode": "http", "port": server.port})
    server.run()
    finish()
    logger.info("server.stopped")


def _runnable_services(settings: Settings, *, client: WebClient | None = None) -> Services:
    """The services with the listeners' jobs known too: a tick may meet what Slack asked a
    process that died to do."""
    return create_app(settings, client=client).services


def run_due_jobs(settings: Settings) -> int:
    """Run what is due once, as a cron job would; exit 1 if a job failed for good."""
    settings.require_bot_token()
    migrate(settings.database_url)
    summary = _runnable_services(settings).ticker.tick()
    print(
        f"Ran {summary.ran} due job(s): {summary.done} done, {summary.retrying} to retry, "
        f"{summary.failed} failed; {summary.deferred} put back until later."
    )
    if summary.rate_limited_until is not None:
        print(f"Slack asked to slow down until {summary.rate_limited_until:%H:%M:%S} UTC.")
    return 1 if summary.failed else 0


def send_weekly_pulse(settings: Settings) -> int:
    """This week's round, now, to everyone in the audience who has not had it yet."""
    settings.require_bot_token()
    migrate(settings.database_url)
    client = _client(settings)
    team_id = _installation(client).team_id
    services = _runnable_services(settings, client=client)
    week = Week.of(services.clock.now().date())
    started = services.rounds.start_round(team_id=team_id, week=week, send_now=True)
    print(
        f"Week {week.key}: {started.audience} people in the audience, {started.added} added "
        f"to the round, {started.due_now} brought forward."
    )
    while services.rounds.due_deliveries():
        summary = services.ticker.tick()
        if summary.rate_limited_until is not None:
            wait = (summary.rate_limited_until - services.clock.now()).total_seconds()
            time.sleep(max(wait, 0))
        elif summary.ran == 0:
            time.sleep(1)  # due DMs are leased by another process: let it finish them
    return print_pulse_status(settings, services=services, team_id=team_id)


def print_pulse_status(
    settings: Settings, *, services: Services | None = None, team_id: str | None = None
) -> int:
    if services is None:
        settings.require_bot_token()
        migrate(settings.database_url)
        client = _client(settings)
        team_id = _installation(client).team_id
        services = _runnable_services(settings, client=client)
    assert team_id is not None
    week = Week.of(services.clock.now().date())
    progress = services.rounds.progress(team_id=team_id, week=week)
    if progress is None:
        print(f"Week {week.key}: no round yet.")
        return 0
    rate = f"{100 * progress.answered / progress.sent:.0f}%" if progress.sent else "-"
    print(
        f"Week {week.key}: {progress.due} due, {progress.sent} sent, {progress.failed} failed, "
        f"{progress.answered} answered (response rate {rate})."
    )
    return 1 if progress.failed else 0
