"""The one place that builds the Bolt app and wires services to listeners."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta

from slack_bolt import App
from slack_sdk import WebClient

from bot.clock import Clock, SystemClock
from bot.db import SessionFactory, create_db_engine, create_session_factory
from bot.departments import DepartmentConfig
from bot.jobs import JobRunner
from bot.pacing import Pacer
from bot.scheduler import Ticker
from bot.services import kudos, ratings, weekly
from bot.services import requests as request_service
from bot.services.desk import POST_CARD, RequestDesk
from bot.services.recognition import KudosPolicy, Recognition
from bot.services.satisfaction import PulsePolicy, SatisfactionService
from bot.services.weekly_pulse import WeeklyPulse
from bot.settings import Settings
from bot.slack import SlackGateway, build_web_client, without_rate_limit_retries
from handlers import register_all

logger = logging.getLogger(__name__)

# Work after the ack (database, Web API calls) runs here, apart from the HTTP threads.
LISTENER_THREADS = 8


@dataclass(frozen=True)
class Services:
    """Everything the bot does, without the Slack listeners: what `serve` wires to Bolt and
    what the command line (`jobs run-due`) runs on its own."""

    session_factory: SessionFactory
    clock: Clock
    gateway: SlackGateway
    desk: RequestDesk
    satisfaction: SatisfactionService
    runner: JobRunner
    ticker: Ticker
    weekly_pulse: WeeklyPulse
    recognition: Recognition


def build_services(
    settings: Settings,
    *,
    client: WebClient | None = None,
    session_factory: SessionFactory | None = None,
    clock: Clock | None = None,
    kudos_values: Sequence[str] = (),
    pacer: Pacer | None = None,
) -> Services:
    """`pacer` spaces scheduled posts; by default one at SLACK_POSTS_PER_MINUTE in real time."""
    clock = clock or SystemClock()
    if client is None:
        token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else None
        client = build_web_client(token=token, base_url=settings.slack_api_url)
    if session_factory is None:
        session_factory = create_session_factory(create_db_engine(settings.database_url))
    gateway = SlackGateway(client, clock=clock)
    if pacer is None and settings.slack_posts_per_minute:
        pacer = Pacer(settings.slack_posts_per_minute)
    job_gateway = SlackGateway(without_rate_limit_retries(client), clock=clock, pacer=pacer)
    recognition = Recognition(
        session_factory=session_factory,
        gateway=gateway,
        job_gateway=job_gateway,
        clock=clock,
        policy=KudosPolicy(
            channel_id=settings.kudos_channel,
            emoji=settings.kudos_emoji,
            daily_limit=settings.kudos_daily_limit,
            digest_schedule=settings.weekly_schedule,
            digest_timezone=settings.kudos_digest_timezone,
            values=tuple(kudos_values),
        ),
    )
    satisfaction = SatisfactionService(
        session_factory=session_factory,
        gateway=gateway,
        job_gateway=job_gateway,
        clock=clock,
        policy=PulsePolicy.from_settings(settings),
        kudos_offer=recognition.kudos_offer,
    )
    desk = RequestDesk(
        session_factory=session_factory,
        gateway=gateway,
        clock=clock,
        satisfaction=satisfaction,
        job_gateway=job_gateway,
        kudos_offer=recognition.kudos_offer,
    )
    weekly_pulse = WeeklyPulse(
        session_factory=session_factory,
        gateway=gateway,
        job_gateway=job_gateway,
        clock=clock,
        schedule=settings.weekly_schedule,
        anonymity_minimum=settings.anonymity_min_responses,
        audience=settings.pulse_audience,
    )
    runner = JobRunner(
        session_factory=session_factory,
        clock=clock,
        lease=timedelta(seconds=settings.jobs_lease_seconds),
        handlers={
            POST_CARD: desk.post_card_later,
            ratings.SEND_PULSE: satisfaction.send_pulse,
            ratings.CLOSE_PULSE: satisfaction.close_pulse,
            weekly.DELIVER: weekly_pulse.deliver,
            weekly.START_ROUND: weekly_pulse.start_round_job,
            weekly.REMIND: weekly_pulse.remind,
            kudos.ANNOUNCE: recognition.announce_job,
            kudos.REACTION_BATCH: recognition.post_reaction_batch,
            kudos.DIGEST: recognition.post_digest,
        },
        give_up={
            ratings.SEND_PULSE: satisfaction.give_up_pulse,
            weekly.DELIVER: weekly_pulse.give_up_delivery,
        },
    )
    ticker = Ticker(runner=runner, session_factory=session_factory, clock=clock)
    return Services(
        session_factory,
        clock,
        gateway,
        desk,
        satisfaction,
        runner,
        ticker,
        weekly_pulse,
        recognition,
    )


@dataclass(frozen=True)
class Pulsedesk:
    app: App
    services: Services
    listener_executor: ThreadPoolExecutor

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
        self.listener_executor.shutdown(wait=True)


def create_app(
    settings: Settings,
    *,
    client: WebClient | None = None,
    session_factory: SessionFactory | None = None,
    clock: Clock | None = None,
    kudos_values: Sequence[str] = (),
    pacer: Pacer | None = None,
) -> Pulsedesk:
    services = build_services(
        settings,
        client=client,
        session_factory=session_factory,
        clock=clock,
        kudos_values=kudos_values,
        pacer=pacer,
    )
    signing_secret = (
        settings.slack_signing_secret.get_secret_value() if settings.slack_signing_secret else ""
    )
    listener_executor = ThreadPoolExecutor(
        max_workers=LISTENER_THREADS, thread_name_prefix="pulsedesk-listener"
    )
    app = App(
        client=services.gateway.client,
        signing_secret=signing_secret,
        # Socket Mode requests arrive over an authenticated WebSocket, not signed HTTP.
        request_verification_enabled=not settings.socket_mode,
        token_verification_enabled=False,
        # Ack functions answer on the HTTP thread; the work runs in lazy listeners afterwards.
        process_before_response=True,
        listener_executor=listener_executor,
        logger=logging.getLogger("slack_bolt"),
    )
    register_all(
        app,
        desk=services.desk,
        satisfaction=services.satisfaction,
        weekly_pulse=services.weekly_pulse,
        recognition=services.recognition,
        gateway=services.gateway,
    )
    return Pulsedesk(app=app, services=services, listener_executor=listener_executor)


def sync_departments_at_start(
    *,
    session_factory: SessionFactory,
    configs: Sequence[DepartmentConfig],
    team_id: str,
    clock: Clock,
) -> None:
    """Make the database's departments match the file the bot was started with."""
    with session_factory.begin() as session:
        sync = request_service.sync_departments(
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
