"""The bot and the sandbox in one process: the bot, unmodified, talks to the sandbox's Web API
over HTTP and is sent the sandbox's signed requests over HTTP, as with Slack."""

from __future__ import annotations

import itertools
import logging
import os
import secrets
import signal
import sys
import threading
import time
import webbrowser
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from types import FrameType

from apscheduler.schedulers.background import BackgroundScheduler
from pydantic import SecretStr
from sqlalchemy import delete

from bot import jobs
from bot.app import Pulsedesk, create_app, sync_departments_at_start
from bot.db import create_db_engine, create_session_factory, migrate, read_session
from bot.departments import load_config
from bot.manifest import EVENTS_PATH
from bot.sandbox import people
from bot.sandbox.clock import CLOCK_SETTING, SandboxClock
from bot.sandbox.driver import Refused, Sandbox
from bot.sandbox.http import API_PREFIX, RESPONSE_PREFIX, SandboxServer
from bot.sandbox.sender import Sender
from bot.sandbox.workspace import Identity, Workspace
from bot.scheduler import start_scheduler
from bot.server import HttpServer
from bot.settings import ConfigError, Settings
from bot.slack import Installation
from bot.slack_client import build_web_client
from models import Base

logger = logging.getLogger(__name__)

# Due jobs can make more jobs due (a round's start makes its deliveries): ticks run until none
# is left, within reason.
MAX_TICKS_PER_MOVE = 50
SETTLE_SECONDS = 30
SETTLE_POLL_SECONDS = 0.02
WORKSPACE_FILE = "slack.db"
DATABASE_FILE = "pulsedesk.db"
DEPARTMENTS_FILE = "departments.toml"


def bot_settings(
    settings: Settings, *, folder: Path, api_url: str, secret: str, token: str
) -> Settings:
    """The user's settings, with the sandbox's Slack, database and departments."""
    return settings.model_copy(
        update={
            "slack_bot_token": SecretStr(token),
            "slack_signing_secret": SecretStr(secret),
            "slack_app_token": None,
            "slack_api_url": api_url,
            "database_url": f"sqlite:///{folder / DATABASE_FILE}",
            "departments_file": folder / DEPARTMENTS_FILE,
            "admin_users": people.ADMIN.id,
            "kudos_channel": people.KUDOS_CHANNEL,
            # So that a reaction files a message, as a workspace may choose.
            "request_emoji": settings.request_emoji or people.REQUEST_EMOJI,
            # Unpaced: the sandbox sets no posting limit, and the clock control runs at once.
            "slack_posts_per_minute": 0,
        }
    )


def _running_jobs(bot: Pulsedesk) -> int:
    with read_session(bot.session_factory) as session:
        return len(jobs.list_jobs(session=session, states=(jobs.JobState.RUNNING,)))


def _timestamps(clock: SandboxClock) -> Callable[[], str]:
    """Message timestamps on the bot's clock, unique like Slack's."""
    counter = itertools.count(1)

    def next_ts() -> str:
        return f"{int(clock.now().timestamp())}.{next(counter) % 1_000_000:06d}"

    return next_ts


@dataclass
class RunningSandbox:
    sandbox: Sandbox
    page: SandboxServer
    bot: Pulsedesk
    bot_server: HttpServer
    scheduler: BackgroundScheduler | None

    @property
    def url(self) -> str:
        return self.page.url

    def close(self) -> None:
        if self.scheduler is not None:
            self.scheduler.shutdown(wait=True)
        self.page.stop()
        self.bot_server.stop()
        self.bot.finish_work()


def start_sandbox(
    settings: Settings, *, port: int | None = None, tick_seconds: float | None = None
) -> RunningSandbox:
    """Start both; `port` 0 takes any free one. With `tick_seconds` 0, due jobs run only
    when the clock control moves the clock (the tests' way)."""
    folder = settings.sandbox_dir.resolve()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / DEPARTMENTS_FILE).write_text(people.departments_toml(), encoding="utf-8")
    clock = SandboxClock()
    workspace = Workspace(
        Identity(
            team_id=people.TEAM_ID,
            bot_user_id=people.BOT_USER_ID,
            app_id=people.APP_ID,
            team_name=people.WORKSPACE_NAME,
        ),
        people.SampleDirectory(),
        next_ts=_timestamps(clock),
        store=folder / WORKSPACE_FILE,
    )
    clock.advance(timedelta(seconds=float(workspace.setting(CLOCK_SETTING, 0))))
    # Made fresh at each start: nothing but this bot can call the sandbox's Web API.
    token = f"{people.BOT_TOKEN_PREFIX}{secrets.token_hex(12)}"
    page = SandboxServer(
        workspace, port=settings.sandbox_port if port is None else port, api_token=token
    )
    secret = secrets.token_hex(16)
    api_url = page.url + API_PREFIX.lstrip("/")
    configured = bot_settings(settings, folder=folder, api_url=api_url, secret=secret, token=token)
    config = load_config(configured.departments_file)
    migrate(configured.database_url)
    bot = create_app(
        configured,
        client=build_web_client(token=token, base_url=api_url),
        session_factory=create_session_factory(create_db_engine(configured.database_url)),
        clock=clock,
        kudos_values=config.kudos_values,
        installation=Installation(people.TEAM_ID, people.APP_ID),
    )

    def set_up() -> None:
        sync_departments_at_start(
            session_factory=bot.session_factory,
            configs=config.departments,
            team_id=people.TEAM_ID,
            clock=clock,
        )
        bot.services.rounds.schedule_round(team_id=people.TEAM_ID)
        bot.services.standings.schedule_digest(team_id=people.TEAM_ID)
        bot.services.department_reports.schedule(team_id=people.TEAM_ID)

    def start_over() -> None:
        with bot.session_factory.begin() as session:
            for table in reversed(Base.metadata.sorted_tables):
                session.execute(delete(table))
        set_up()

    def run_due() -> None:
        for _ in range(MAX_TICKS_PER_MOVE):
            if bot.services.ticker.tick().ran == 0:
                return

    set_up()
    interval = configured.jobs_poll_seconds if tick_seconds is None else tick_seconds
    scheduler = (
        start_scheduler(bot.services.ticker, interval_seconds=interval) if interval > 0 else None
    )

    @contextmanager
    def quiet() -> Iterator[None]:
        """No job may be running when the clock jumps, or its lease would look run out and
        the job would run twice: scheduled ticks pause, and running jobs are waited for."""
        if scheduler is not None:
            scheduler.pause()
        try:
            deadline = time.monotonic() + SETTLE_SECONDS
            while _running_jobs(bot):
                if time.monotonic() > deadline:
                    raise Refused("The bot is still busy with earlier work; try again shortly.")
                time.sleep(SETTLE_POLL_SECONDS)
            yield
        finally:
            if scheduler is not None:
                scheduler.resume()

    bot_server = HttpServer(bot, host="127.0.0.1", port=0, loop_timeout=0.1)
    threading.Thread(target=bot_server.run, name="pulsedesk-http", daemon=True).start()
    sandbox = Sandbox(
        workspace=workspace,
        sender=Sender(
            url=f"http://127.0.0.1:{bot_server.port}{EVENTS_PATH}", signing_secret=secret
        ),
        clock=clock,
        response_base=page.url + RESPONSE_PREFIX.lstrip("/"),
        run_due=run_due,
        quiet=quiet,
        start_over=start_over,
    )
    page.start(sandbox)
    return RunningSandbox(sandbox, page, bot, bot_server, scheduler)


NO_CREDENTIALS = (
    "No SLACK_BOT_TOKEN: running the local sandbox. Fill in .env to connect to your workspace."
)


def run_sandbox(settings: Settings, *, reason: str | None, open_browser: bool) -> None:
    try:
        running = start_sandbox(settings)
    except OSError as error:
        raise ConfigError(
            f"the sandbox cannot listen on 127.0.0.1:{settings.sandbox_port} ({error.strerror}): "
            "set SANDBOX_PORT to a free port"
        ) from None
    stopped = threading.Event()

    def stop(_signum: int, _frame: FrameType | None) -> None:
        stopped.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    if reason:
        print(reason)
    print(f"pulsedesk sandbox: {running.url}  (Ctrl+C stops it)", flush=True)
    if open_browser and _has_display():
        webbrowser.open(running.url)
    stopped.wait()
    running.close()


def _has_display() -> bool:
    """A browser can be opened here without taking over the terminal."""
    if sys.platform in ("darwin", "win32"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
