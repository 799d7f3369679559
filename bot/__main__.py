"""Command line: `python -m bot serve | manifest | migrate` (also installed as `pulsedesk`)."""

from __future__ import annotations

import argparse
import json
import logging
import signal
import sys
from collections.abc import Sequence
from types import FrameType
from urllib.parse import urlparse

from pydantic import ValidationError
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_sdk.errors import SlackApiError

from bot.app import create_app, sync_departments_at_start
from bot.clock import SystemClock
from bot.db import migrate
from bot.departments import DepartmentsFileError, load_departments
from bot.logs import configure_logging
from bot.manifest import build_manifest
from bot.server import HttpServer
from bot.settings import ConfigError, Settings
from bot.slack import build_web_client

logger = logging.getLogger("bot")


def _load_settings() -> Settings:
    try:
        return Settings()
    except ValidationError as error:
        first = error.errors()[0]
        name = str(first["loc"][0]).upper() if first["loc"] else "a setting"
        raise ConfigError(f"{name}: {first['msg']}") from None


def serve(settings: Settings) -> None:
    settings.require_slack_credentials()
    configs = load_departments(settings.departments_file)
    migrate(settings.database_url)
    token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else None
    client = build_web_client(token=token, base_url=settings.slack_api_url)
    try:
        identity = client.auth_test()
    except SlackApiError as error:
        raise ConfigError(
            f"Slack refused SLACK_BOT_TOKEN ({error.response.get('error')}): copy the current "
            "Bot User OAuth Token from your Slack app's 'OAuth & Permissions' page"
        ) from None
    team_id = str(identity["team_id"])
    clock = SystemClock()
    pulsedesk = create_app(settings, client=client, clock=clock)
    sync_departments_at_start(
        session_factory=pulsedesk.session_factory, configs=configs, team_id=team_id, clock=clock
    )

    if settings.socket_mode:
        assert settings.slack_app_token is not None
        logger.info("server.starting", extra={"mode": "socket", "team_id": team_id})
        handler = SocketModeHandler(pulsedesk.app, settings.slack_app_token.get_secret_value())
        try:
            handler.start()  # type: ignore[no-untyped-call]
        finally:
            pulsedesk.finish_work()
        return

    server = HttpServer(pulsedesk, host="0.0.0.0", port=settings.port)  # noqa: S104

    def stop(signum: int, _frame: FrameType | None) -> None:
        logger.info("server.stopping", extra={"signal": signum})
        server.stop()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    logger.info("server.starting", extra={"mode": "http", "port": server.port})
    server.run()
    pulsedesk.finish_work()
    logger.info("server.stopped")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="pulsedesk", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser(
        "serve", help="run the bot (HTTP mode, or Socket Mode with SLACK_APP_TOKEN)"
    )
    manifest = commands.add_parser("manifest", help="print the Slack app manifest (JSON)")
    manifest.add_argument("--url", help="public base URL of the bot, e.g. https://desk.example.com")
    manifest.add_argument(
        "--socket-mode", action="store_true", help="a manifest for Socket Mode (no URL needed)"
    )
    commands.add_parser("migrate", help="apply database migrations and exit")
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
        configure_logging(settings.log_level_number)
        if args.command == "migrate":
            migrate(settings.database_url)
            logger.info("database.migrated")
            return 0
        serve(settings)
    except (ConfigError, DepartmentsFileError) as error:
        print(f"pulsedesk: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
