"""The one place that builds the Bolt app and hands the services to the listeners."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from slack_bolt import App
from slack_sdk import WebClient

from bot.clock import Clock
from bot.db import SessionFactory
from bot.departments import DepartmentConfig
from bot.pacing import Pacer
from bot.requests.departments import store as departments_store
from bot.requests.flows.desk import RequestDesk
from bot.services import Services, build_services
from bot.settings import Settings
from bot.slack import Installation, SlackGateway
from handlers import register_all

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Pulsedesk:
    app: App
    services: Services
    listener_executor: ThreadPoolExecutor
    # Checked on the raw body before Bolt parses it (bot/server.py).
    signing_secret: str = field(default="", repr=False)

    @property
    def session_factory(self) -> SessionFactory:
        return self.services.session_factory

    @property
    def desk(self) -> RequestDesk:
        return self.services.desk

    @property
    def gateway(self) -> SlackGateway:
        return self.services.gateway

    def finish_work(self) -> None:
        """Wait for listeners still running after their ack (graceful shutdown)."""
        self.services.forms.shutdown(wait=True)
        self.listener_executor.shutdown(wait=True)


def create_app(
    settings: Settings,
    *,
    client: WebClient | None = None,
    session_factory: SessionFactory | None = None,
    clock: Clock | None = None,
    kudos_values: Sequence[str] = (),
    pacer: Pacer | None = None,
    installation: Installation | None = None,
) -> Pulsedesk:
    services = build_services(
        settings,
        client=client,
        session_factory=session_factory,
        clock=clock,
        kudos_values=kudos_values,
        pacer=pacer,
        installation=installation,
    )
    signing_secret = (
        settings.slack_signing_secret.get_secret_value() if settings.slack_signing_secret else ""
    )
    listener_executor = services.workers
    app = App(
        client=services.gateway.client,
        signing_secret=signing_secret,
        # Socket Mode requests arrive over an authenticated WebSocket, not signed HTTP.
        request_verification_enabled=not settings.socket_mode,
        token_verification_enabled=False,
        # Listeners run on the HTTP thread: each writes what was asked as a job and acks;
        # the work runs on the services' workers (bot/intake.py).
        process_before_response=True,
        listener_executor=listener_executor,
        logger=logging.getLogger("slack_bolt"),
    )
    register_all(app, services)
    return Pulsedesk(
        app=app,
        services=services,
        listener_executor=listener_executor,
        signing_secret=signing_secret,
    )


def sync_departments_at_start(
    *,
    session_factory: SessionFactory,
    configs: Sequence[DepartmentConfig],
    team_id: str,
    clock: Clock,
) -> None:
    """Make the database's departments match the file the bot was started with."""
    with session_factory.begin() as session:
        sync = departments_store.sync_departments(
            session=session, team_id=team_id, configs=configs, now=clock.now()
        )
    logger.info(
        "departments.synced",
        extra={
            "team_id": team_id,
            "added": sync.added,
            "updated": sync.updated,
            "deactivated": sync.deactivated,
        },
    )
