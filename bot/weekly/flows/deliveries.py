"""Each person's weekly pulse DM: sent once at their local time, a reminder two days on for
who has not answered, and the delivery marked failed when Slack never took it."""

from __future__ import annotations

import logging
import threading

from bot import jobs
from bot.calendar import Week
from bot.clock import Clock
from bot.db import SessionFactory, read_session
from bot.jobs import JobSnapshot
from bot.people import store as people_store
from bot.slack import MessageTag, SlackGateway
from bot.weekly import messages, store
from bot.weekly.rules import (
    REMIND_AFTER,
    WEEKLY_PULSE_TAG,
    WEEKLY_REMINDER_TAG,
    DeliveryState,
    WeeklyJob,
)
from bot.weekly.updates import store as updates_store

logger = logging.getLogger(__name__)

PROGRESS_EVERY = 100


class Deliveries:
    def __init__(
        self,
        *,
        session_factory: SessionFactory,
        job_gateway: SlackGateway,
        clock: Clock,
        anonymity_minimum: int,
    ) -> None:
        self._sessions = session_factory
        self._job_gateway = job_gateway
        self._clock = clock
        self._anonymity_minimum = anonymity_minimum
        self._progress_lock = threading.Lock()
        self._sent_since_start = 0
        self._started = clock.now()

    def deliver(self, job: JobSnapshot) -> None:
        delivery_id = int(job.payload["delivery_id"])
        with read_session(self._sessions) as session:
            delivery = store.get_delivery(session=session, delivery_id=delivery_id)
            known = people_store.known_person(
                session=session, team_id=delivery.team_id, user_id=delivery.user_id
            )
            updates = updates_store.for_delivery(session=session, delivery=delivery)
        if delivery.state not in (DeliveryState.PENDING, DeliveryState.SENDING):
            return
        if known.weekly_pulse_opted_out:
            with self._sessions.begin() as session:
                store.set_delivery_state(
                    session=session,
                    delivery_id=delivery.id,
                    state=DeliveryState.SKIPPED,
                    expected=(DeliveryState.PENDING, DeliveryState.SENDING),
                )
            return
        # Already sending: an earlier try was interrupted after it began to post.
        resumed = delivery.state == DeliveryState.SENDING
        if not resumed:
            with self._sessions.begin() as session:
                store.set_delivery_state(
                    session=session,
                    delivery_id=delivery.id,
                    state=DeliveryState.SENDING,
                    expected=(DeliveryState.PENDING,),
                )
        message = messages.build_weekly_pulse(
            delivery_id=delivery.id,
            questions=delivery.questions,
            answered=delivery.answered,
            closes_at=delivery.closes_at,
            minimum=self._anonymity_minimum,
            updates=updates,
        )
        posted = self._job_gateway.post_once(
            channel=delivery.user_id,
            message=message,
            tag=MessageTag(WEEKLY_PULSE_TAG, delivery.id),
            resumed=resumed,
        )
        with self._sessions.begin() as session:
            store.set_delivery_state(
                session=session,
                delivery_id=delivery.id,
                state=DeliveryState.SENT,
                expected=(DeliveryState.SENDING,),
                channel_id=posted.channel,
                ts=posted.ts,
            )
            jobs.enqueue(
                session=session,
                team_id=delivery.team_id,
                kind=WeeklyJob.REMIND,
                unique_key=f"{WeeklyJob.REMIND}:{delivery.id}",
                due_at=delivery.due_at + REMIND_AFTER,
                now=self._clock.now(),
                payload={"delivery_id": delivery.id},
            )
        self._count_sent(delivery.week)

    def remind(self, job: JobSnapshot) -> None:
        """Two days on, the pulse again for someone who has not answered any of it."""
        with read_session(self._sessions) as session:
            delivery = store.get_delivery(
                session=session, delivery_id=int(job.payload["delivery_id"])
            )
            known = people_store.known_person(
                session=session, team_id=delivery.team_id, user_id=delivery.user_id
            )
            updates = updates_store.for_delivery(session=session, delivery=delivery)
        closes_at = delivery.closes_at
        if (
            delivery.state != DeliveryState.SENT
            or delivery.answered
            or known.weekly_pulse_opted_out
            or self._clock.now() >= closes_at
        ):
            return
        message = messages.build_weekly_pulse(
            delivery_id=delivery.id,
            questions=delivery.questions,
            answered=delivery.answered,
            closes_at=closes_at,
            minimum=self._anonymity_minimum,
            reminder=True,
            updates=updates,
        )
        posted = self._job_gateway.post_once(
            channel=delivery.user_id,
            message=message,
            tag=MessageTag(WEEKLY_REMINDER_TAG, delivery.id),
            # A try that failed or whose runner died may have reached Slack.
            resumed=job.attempts > 0,
        )
        with self._sessions.begin() as session:
            # Answers now redraw the reminder, the message the person is looking at.
            store.set_delivery_state(
                session=session,
                delivery_id=delivery.id,
                state=DeliveryState.SENT,
                expected=(DeliveryState.SENT,),
                channel_id=posted.channel,
                ts=posted.ts,
            )

    def _count_sent(self, week: Week) -> None:
        with self._progress_lock:
            self._sent_since_start += 1
            sent = self._sent_since_start
        if sent % PROGRESS_EVERY == 0:
            elapsed = max((self._clock.now() - self._started).total_seconds(), 1e-9)
            with read_session(self._sessions) as session:
                remaining = store.due_deliveries(session=session, now=self._clock.now())
            rate = sent / elapsed
            logger.info(
                "weekly_pulse.progress",
                extra={
                    "week": week.key,
                    "sent": sent,
                    "due": remaining,
                    "per_second": round(rate, 2),
                    "eta_seconds": round(remaining / rate) if rate else None,
                },
            )

    def give_up_delivery(self, job: JobSnapshot, error: str) -> None:
        with self._sessions.begin() as session:
            store.set_delivery_state(
                session=session,
                delivery_id=int(job.payload["delivery_id"]),
                state=DeliveryState.FAILED,
                expected=(DeliveryState.PENDING, DeliveryState.SENDING),
            )
