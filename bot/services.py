"""Everything the bot does, wired together without the Slack listeners: what `serve` hands to
Bolt, and what the command line (`jobs run-due`, `pulse weekly`) runs on its own."""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from typing import TypeVar

from slack_sdk import WebClient

from bot.clock import Clock, SystemClock
from bot.conversations.flows import Conversations
from bot.db import SessionFactory, create_db_engine, create_session_factory, is_sqlite
from bot.department_reports.flows import DepartmentReports
from bot.department_reports.rules import ReportJob
from bot.forms.flows import RequestForm
from bot.home.flows import Home
from bot.home.rules import HomeJob
from bot.home.store import refresh_homes
from bot.intake import Intake
from bot.job_runner import JobRunner
from bot.kudos.flows.common import KudosFlow
from bot.kudos.flows.giving import Giving
from bot.kudos.flows.reactions import KudosReactions
from bot.kudos.flows.standings import Standings
from bot.kudos.rules import KudosJob, KudosPolicy
from bot.pacing import Pacer
from bot.requests.flows.desk import RequestDesk
from bot.requests.from_messages.flows import MessageRequests
from bot.requests.rules import RequestJob
from bot.requests.waiting.flows import Waiting
from bot.satisfaction.flows.feedback import Feedback
from bot.satisfaction.flows.pulses import Pulses
from bot.satisfaction.flows.ratings import Ratings
from bot.satisfaction.rules import PulsePolicy, SatisfactionJob
from bot.scheduler import Ticker
from bot.sealing import ReplySealer
from bot.service_levels.flows import ServiceLevelAlerts
from bot.service_levels.rules import SlaJob
from bot.settings import Settings
from bot.slack import Installation, SlackGateway
from bot.slack_client import build_web_client, without_rate_limit_retries
from bot.weekly.comments.flows import Replies
from bot.weekly.flows.answers import Answers
from bot.weekly.flows.deliveries import Deliveries
from bot.weekly.flows.preferences import Preferences
from bot.weekly.flows.rounds import Rounds
from bot.weekly.rules import WeeklyJob
from bot.weekly.updates.flows import SharedUpdates

KudosFlowT = TypeVar("KudosFlowT", bound=KudosFlow)
# What Slack asked for runs here after the ack, apart from the HTTP threads. Python runs one
# thread at a time: more workers file no faster (measured: the same 40 a second with 2, 4 and
# 8) and take the interpreter from the acks, whose p99 grew by half with 8.
WORKER_THREADS = 4
SQLITE_WORKER_THREADS = 2
# Forms opened from a click or a command, apart from the workers: a trigger_id lasts 3
# seconds, too short to wait behind a busy queue of jobs.
FORM_THREADS = 2


@dataclass(frozen=True)
class Services:
    session_factory: SessionFactory
    clock: Clock
    gateway: SlackGateway
    desk: RequestDesk
    request_form: RequestForm
    pulses: Pulses
    ratings: Ratings
    feedback: Feedback
    rounds: Rounds
    deliveries: Deliveries
    answers: Answers
    preferences: Preferences
    giving: Giving
    kudos_reactions: KudosReactions
    standings: Standings
    home: Home
    conversations: Conversations
    waiting: Waiting
    message_requests: MessageRequests
    department_reports: DepartmentReports
    replies: Replies
    shared_updates: SharedUpdates
    runner: JobRunner
    ticker: Ticker
    intake: Intake
    # The threads that run what Slack asked for, after the ack.
    workers: ThreadPoolExecutor
    forms: ThreadPoolExecutor
    # The workspace served; None accepts any (the command line, which gets no payloads).
    installation: Installation | None = None


def build_services(
    settings: Settings,
    *,
    client: WebClient | None = None,
    session_factory: SessionFactory | None = None,
    clock: Clock | None = None,
    kudos_values: Sequence[str] = (),
    pacer: Pacer | None = None,
    installation: Installation | None = None,
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
    # Scheduled work: paced, and a 429 reaches the job runner instead of being slept through.
    job_gateway = SlackGateway(without_rate_limit_retries(client), clock=clock, pacer=pacer)
    kudos_policy = KudosPolicy(
        channel_id=settings.kudos_channel,
        emoji=settings.kudos_emoji,
        daily_limit=settings.kudos_daily_limit,
        digest_schedule=settings.weekly_schedule,
        digest_timezone=settings.kudos_digest_timezone,
        values=tuple(kudos_values),
    )
    pulse_policy = PulsePolicy(
        delay=settings.pulse_delay,
        cooldown=settings.pulse_cooldown,
        working_hours=settings.working_hours,
        scale=settings.rating_scale,
        admins=settings.admin_user_ids,
    )

    def kudos_flow(flow: type[KudosFlowT]) -> KudosFlowT:
        return flow(
            session_factory=session_factory,
            gateway=gateway,
            job_gateway=job_gateway,
            clock=clock,
            policy=kudos_policy,
        )

    giving, kudos_reactions, standings = (
        kudos_flow(Giving),
        kudos_flow(KudosReactions),
        kudos_flow(Standings),
    )
    pulses = Pulses(
        session_factory=session_factory, job_gateway=job_gateway, clock=clock, policy=pulse_policy
    )
    # A change redraws the Home of those it concerns, and of the admins, who see everything.
    on_change = partial(refresh_homes, also=settings.admin_user_ids)
    ratings = Ratings(
        session_factory=session_factory,
        gateway=gateway,
        clock=clock,
        policy=pulse_policy,
        kudos_offer=giving.kudos_offer,
        on_change=on_change,
    )
    feedback = Feedback(
        session_factory=session_factory,
        clock=clock,
        admins=settings.admin_user_ids,
        anonymity_minimum=settings.anonymity_min_responses,
    )
    alerts = ServiceLevelAlerts(
        session_factory=session_factory, job_gateway=job_gateway, clock=clock
    )
    desk = RequestDesk(
        session_factory=session_factory,
        gateway=gateway,
        clock=clock,
        pulses=pulses,
        job_gateway=job_gateway,
        kudos_offer=giving.kudos_offer,
        alerts=alerts,
        on_change=on_change,
    )
    minimum = settings.anonymity_min_responses
    rounds = Rounds(
        session_factory=session_factory,
        clock=clock,
        gateway=gateway,
        schedule=settings.weekly_schedule,
        audience=settings.pulse_audience,
    )
    deliveries = Deliveries(
        session_factory=session_factory,
        clock=clock,
        job_gateway=job_gateway,
        anonymity_minimum=minimum,
    )
    replies = Replies(
        session_factory=session_factory,
        gateway=gateway,
        job_gateway=job_gateway,
        clock=clock,
        admins=settings.admin_user_ids,
        sealer=ReplySealer(settings.pulse_reply_key.get_secret_value())
        if settings.pulse_reply_key
        else None,
        anonymity_minimum=minimum,
    )
    shared_updates = SharedUpdates(
        session_factory=session_factory,
        clock=clock,
        admins=settings.admin_user_ids,
        anonymity_minimum=minimum,
        replies=replies,
    )
    answers = Answers(
        session_factory=session_factory,
        clock=clock,
        gateway=gateway,
        anonymity_minimum=minimum,
        replies=replies,
    )
    preferences = Preferences(
        session_factory=session_factory,
        clock=clock,
        gateway=gateway,
        schedule=settings.weekly_schedule,
        anonymity_minimum=minimum,
    )
    conversations = Conversations(
        session_factory=session_factory, gateway=gateway, clock=clock, desk=desk, alerts=alerts
    )
    waiting = Waiting(
        session_factory=session_factory,
        gateway=gateway,
        clock=clock,
        desk=desk,
        conversations=conversations,
    )
    department_reports = DepartmentReports(
        session_factory=session_factory,
        job_gateway=job_gateway,
        clock=clock,
        schedule=settings.weekly_schedule,
        anonymity_minimum=minimum,
        admins=settings.admin_user_ids,
    )
    home = Home(
        session_factory=session_factory,
        desk=desk,
        feedback=feedback,
        gateway=gateway,
        clock=clock,
        giving=giving,
        job_gateway=job_gateway,
        pulse=shared_updates,
    )
    runner = JobRunner(
        session_factory=session_factory,
        clock=clock,
        lease=timedelta(seconds=settings.jobs_lease_seconds),
        handlers={
            RequestJob.POST_CARD: desk.notices.post_card_later,
            RequestJob.NOTIFY: desk.notices.notify_later,
            SlaJob.REMIND: alerts.remind,
            SlaJob.ESCALATE: alerts.escalate,
            RequestJob.NUDGE: waiting.nudge,
            RequestJob.CLOSE_UNANSWERED: waiting.close_unanswered,
            SatisfactionJob.SEND_PULSE: pulses.send_pulse,
            SatisfactionJob.CLOSE_PULSE: pulses.close_pulse,
            WeeklyJob.DELIVER: deliveries.deliver,
            WeeklyJob.START_ROUND: rounds.start_round_job,
            WeeklyJob.REMIND: deliveries.remind,
            WeeklyJob.RELEASE: answers.release_week,
            WeeklyJob.REPLY: replies.send_later,
            KudosJob.ANNOUNCE: giving.announce_job,
            KudosJob.REACTION_BATCH: kudos_reactions.post_reaction_batch,
            KudosJob.DIGEST: standings.post_digest,
            ReportJob.POST: department_reports.post_report,
            HomeJob.PUBLISH: home.publish_job,
            ReportJob.HEATMAP: department_reports.post_heatmap,
        },
        give_up={
            SatisfactionJob.SEND_PULSE: pulses.give_up_pulse,
            WeeklyJob.DELIVER: deliveries.give_up_delivery,
        },
    )
    # SQLite takes one writer at a time: more workers would only queue in front of the acks.
    threads = SQLITE_WORKER_THREADS if is_sqlite(settings.database_url) else WORKER_THREADS
    workers = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="pulsedesk-work")
    forms = ThreadPoolExecutor(max_workers=FORM_THREADS, thread_name_prefix="pulsedesk-forms")
    intake = Intake(
        session_factory=session_factory,
        clock=clock,
        runner=runner,
        workers=workers,
        forms=forms,
        lease=timedelta(seconds=settings.jobs_lease_seconds),
    )
    return Services(
        session_factory=session_factory,
        clock=clock,
        gateway=gateway,
        desk=desk,
        request_form=RequestForm(session_factory=session_factory),
        pulses=pulses,
        ratings=ratings,
        feedback=feedback,
        rounds=rounds,
        deliveries=deliveries,
        answers=answers,
        preferences=preferences,
        giving=giving,
        kudos_reactions=kudos_reactions,
        standings=standings,
        home=home,
        conversations=conversations,
        waiting=waiting,
        message_requests=MessageRequests(
            session_factory=session_factory,
            gateway=gateway,
            clock=clock,
            desk=desk,
            workspace_emoji=settings.request_emoji,
        ),
        department_reports=department_reports,
        replies=replies,
        shared_updates=shared_updates,
        runner=runner,
        ticker=Ticker(runner=runner, session_factory=session_factory, clock=clock),
        intake=intake,
        workers=workers,
        forms=forms,
        installation=installation,
    )
