"""The weekly pulse: starting a week's round for the audience, sending each DM as a job at
the person's own local time, recording answers anonymously, and each person's status.

Rounds and deliveries are rows, and each DM is a `weekly.deliver` job, so a round survives
restarts and reaches each person once, whichever process sends it.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bot import jobs
from bot.blocks import weekly as blocks
from bot.clock import Clock
from bot.db import SessionFactory, read_session
from bot.domain.satisfaction import zone_or_utc
from bot.domain.weekly import (
    CLOSE_AFTER,
    REMIND_AFTER,
    USED_DEPARTMENTS_WINDOW,
    Week,
    WeeklySchedule,
    select_questions,
)
from bot.errors import NotAllowed, NotFound, SurveyClosed
from bot.jobs import JobSnapshot
from bot.services import people, weekly
from bot.services.profiles import Profiles
from bot.slack import SLACK_FAILURES, Message, MessageTag, SlackGateway

logger = logging.getLogger(__name__)


# The metadata event type on weekly pulse DMs, which finds one whose posting was interrupted.
WEEKLY_PULSE_TAG = "pulsedesk_weekly_pulse"
ADD_BATCH = 500
# The first and last time zones on Earth: a week's round runs from the scheduled time in
# the one to the scheduled time in the other.
FIRST_ZONE = "Etc/GMT-14"
LAST_ZONE = "Etc/GMT+12"
PROGRESS_EVERY = 100
# PULSE_AUDIENCE=requesters: people who filed a request within this window.
REQUESTERS_WINDOW = timedelta(days=30)


@dataclass(frozen=True)
class StartedRound:
    week: Week
    audience: int
    added: int
    # With send_now: deliveries that were waiting for a later local time, now due.
    due_now: int


@dataclass(frozen=True)
class PulseStatus:
    opted_out: bool
    # When the next weekly pulse is due for this person, in UTC.
    next_due: datetime
    # Results of fewer people than this are never shown.
    anonymity_minimum: int


class WeeklyPulse:
    def __init__(
        self,
        *,
        session_factory: SessionFactory,
        gateway: SlackGateway,
        job_gateway: SlackGateway,
        clock: Clock,
        schedule: WeeklySchedule,
        anonymity_minimum: int,
        audience: str,
    ) -> None:
        self._sessions = session_factory
        self._gateway = gateway
        self._clock = clock
        self._schedule = schedule
        self._anonymity_minimum = anonymity_minimum
        self._audience = audience
        self._job_gateway = job_gateway
        self._progress_lock = threading.Lock()
        self._sent_since_start = 0
        self._started = clock.now()
        self._profiles = Profiles(session_factory=session_factory, gateway=gateway, clock=clock)

    # -- rounds ---------------------------------------------------------------------------------
    def schedule_round(self, *, team_id: str) -> Week:
        """Make sure the next round has its start job; each round schedules the one after."""
        week = self._upcoming_week(self._clock.now())
        self._enqueue_round_start(team_id, week)
        return week

    def _upcoming_week(self, now: datetime) -> Week:
        """This week while anyone's scheduled time is still ahead, else next week."""
        week = Week.of(now.astimezone(UTC).date())
        if now >= self._schedule.due_at(week, LAST_ZONE):
            week = Week(week.monday + timedelta(days=7))
        return week

    def _enqueue_round_start(self, team_id: str, week: Week) -> None:
        now = self._clock.now()
        # The round starts when the first zone reaches the scheduled time; each person's
        # DM is then due at that time in their own zone.
        starts_at = max(now, self._schedule.due_at(week, FIRST_ZONE))
        with self._sessions.begin() as session:
            jobs.enqueue(
                session=session,
                team_id=team_id,
                kind=weekly.START_ROUND,
                unique_key=f"{weekly.START_ROUND}:{team_id}:{week.key}",
                due_at=starts_at,
                now=now,
                payload={"week": week.key},
            )

    def start_round_job(self, job: JobSnapshot) -> None:
        week = Week.parse(str(job.payload["week"]))
        self.start_round(team_id=job.team_id, week=week)
        self._enqueue_round_start(job.team_id, Week(week.monday + timedelta(days=7)))

    def start_round(self, *, team_id: str, week: Week, send_now: bool = False) -> StartedRound:
        """Add everyone in the audience who is not in the week's round yet, each due at the
        scheduled time in their own zone (or now, with `send_now`, or when that has passed).
        Safe to repeat: a person is in a round once."""
        now = self._clock.now()
        with self._sessions.begin() as session:
            round_ = weekly.ensure_round(session=session, team_id=team_id, week=week, now=now)
        members = self._gateway.workspace_people()
        with read_session(self._sessions) as session:
            used = weekly.used_departments(
                session=session, team_id=team_id, since=now - USED_DEPARTMENTS_WINDOW, until=now
            )
            excluded = weekly.opted_out(session=session, team_id=team_id)
            requesters = (
                weekly.requesters_since(
                    session=session, team_id=team_id, since=now - REQUESTERS_WINDOW
                )
                if self._audience == "requesters"
                else None
            )
        recipients = [
            weekly.Recipient(
                user_id=member.user_id,
                due_at=now if send_now else max(now, self._schedule.due_at(week, member.timezone)),
                questions=select_questions(week, used.get(member.user_id, [])),
            )
            for member in members
            if member.user_id not in excluded
            and (requesters is None or member.user_id in requesters)
        ]
        added = 0
        for start in range(0, len(recipients), ADD_BATCH):
            with self._sessions.begin() as session:
                added += weekly.add_deliveries(
                    session=session,
                    round_=round_,
                    recipients=recipients[start : start + ADD_BATCH],
                    now=now,
                )
        with self._sessions.begin() as session:
            brought_forward = (
                weekly.bring_forward(session=session, round_=round_, now=now) if send_now else 0
            )
        logger.info(
            "weekly_pulse.round_started",
            extra={"week": week.key, "audience": len(recipients), "added": added},
        )
        return StartedRound(week, audience=len(recipients), added=added, due_now=brought_forward)

    def progress(self, *, team_id: str, week: Week) -> weekly.RoundProgress | None:
        with read_session(self._sessions) as session:
            round_ = weekly.get_round(session=session, team_id=team_id, week=week)
            if round_ is None:
                return None
            return weekly.round_progress(session=session, round_=round_)

    def due_deliveries(self) -> int:
        with read_session(self._sessions) as session:
            return weekly.due_deliveries(session=session, now=self._clock.now())

    # -- one person's DM --------------------------------------------------------------------------
    def deliver(self, job: JobSnapshot) -> None:
        delivery_id = int(job.payload["delivery_id"])
        with read_session(self._sessions) as session:
            delivery = weekly.get_delivery(session=session, delivery_id=delivery_id)
            known = people.known_person(
                session=session, team_id=delivery.team_id, user_id=delivery.user_id
            )
        if delivery.state not in (weekly.DeliveryState.PENDING, weekly.DeliveryState.SENDING):
            return
        if known.weekly_pulse_opted_out:
            with self._sessions.begin() as session:
                weekly.set_delivery_state(
                    session=session,
                    delivery_id=delivery.id,
                    state=weekly.DeliveryState.SKIPPED,
                    expected=(weekly.DeliveryState.PENDING, weekly.DeliveryState.SENDING),
                )
            return
        tag = MessageTag(WEEKLY_PULSE_TAG, delivery.id)
        posted = None
        if delivery.state == weekly.DeliveryState.SENDING:
            # An earlier try was interrupted after it began to post: did the DM arrive?
            posted = self._job_gateway.find_tagged_dm(user_id=delivery.user_id, tag=tag)
        else:
            with self._sessions.begin() as session:
                weekly.set_delivery_state(
                    session=session,
                    delivery_id=delivery.id,
                    state=weekly.DeliveryState.SENDING,
                    expected=(weekly.DeliveryState.PENDING,),
                )
        if posted is None:
            message = blocks.build_weekly_pulse(
                delivery_id=delivery.id,
                questions=delivery.questions,
                answered=delivery.answered,
                closes_at=delivery.due_at + CLOSE_AFTER,
                minimum=self._anonymity_minimum,
            )
            posted = self._job_gateway.post_message(
                channel=delivery.user_id, message=message, tag=tag
            )
        with self._sessions.begin() as session:
            weekly.set_delivery_state(
                session=session,
                delivery_id=delivery.id,
                state=weekly.DeliveryState.SENT,
                expected=(weekly.DeliveryState.SENDING,),
                channel_id=posted.channel,
                ts=posted.ts,
            )
            jobs.enqueue(
                session=session,
                team_id=delivery.team_id,
                kind=weekly.REMIND,
                unique_key=f"{weekly.REMIND}:{delivery.id}",
                due_at=delivery.due_at + REMIND_AFTER,
                now=self._clock.now(),
                payload={"delivery_id": delivery.id},
            )
        self._count_sent(delivery.week)

    def remind(self, job: JobSnapshot) -> None:
        """Two days on, the pulse again for someone who has not answered any of it."""
        with read_session(self._sessions) as session:
            delivery = weekly.get_delivery(
                session=session, delivery_id=int(job.payload["delivery_id"])
            )
            known = people.known_person(
                session=session, team_id=delivery.team_id, user_id=delivery.user_id
            )
        closes_at = delivery.due_at + CLOSE_AFTER
        if (
            delivery.state != weekly.DeliveryState.SENT
            or delivery.answered
            or known.weekly_pulse_opted_out
            or self._clock.now() >= closes_at
        ):
            return
        message = blocks.build_weekly_pulse(
            delivery_id=delivery.id,
            questions=delivery.questions,
            answered=delivery.answered,
            closes_at=closes_at,
            minimum=self._anonymity_minimum,
            reminder=True,
        )
        posted = self._job_gateway.post_message(channel=delivery.user_id, message=message)
        with self._sessions.begin() as session:
            # Answers now redraw the reminder, the message the person is looking at.
            weekly.set_delivery_state(
                session=session,
                delivery_id=delivery.id,
                state=weekly.DeliveryState.SENT,
                expected=(weekly.DeliveryState.SENT,),
                channel_id=posted.channel,
                ts=posted.ts,
            )

    def _count_sent(self, week: Week) -> None:
        with self._progress_lock:
            self._sent_since_start += 1
            sent = self._sent_since_start
        if sent % PROGRESS_EVERY == 0:
            elapsed = max((self._clock.now() - self._started).total_seconds(), 1e-9)
            remaining = self.due_deliveries()
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
            weekly.set_delivery_state(
                session=session,
                delivery_id=int(job.payload["delivery_id"]),
                state=weekly.DeliveryState.FAILED,
                expected=(weekly.DeliveryState.PENDING, weekly.DeliveryState.SENDING),
            )

    def answer(
        self, *, team_id: str, user_id: str, delivery_id: int, index: int, score: int
    ) -> None:
        """One tap: the answer is stored apart from the person, the DM shows it answered."""
        delivery = self._open_delivery(team_id=team_id, user_id=user_id, delivery_id=delivery_id)
        if not 0 <= index < len(delivery.questions) or score not in delivery.questions[index].scale:
            raise NotFound("That answer is not one of the choices.")
        with self._sessions.begin() as session:
            recorded = weekly.record_answer(
                session=session, delivery=delivery, index=index, score=score
            )
        if recorded:
            # Neither the person nor the delivery: what was answered must not lead back to them.
            logger.info("weekly_pulse.answered", extra={"week": delivery.week.key})
        message = blocks.build_weekly_pulse(
            delivery_id=delivery.id,
            questions=delivery.questions,
            answered={*delivery.answered, index},
            closes_at=delivery.due_at + CLOSE_AFTER,
            minimum=self._anonymity_minimum,
        )
        self._redraw(delivery, message)

    @property
    def anonymity_minimum(self) -> int:
        return self._anonymity_minimum

    def _open_delivery(
        self, *, team_id: str, user_id: str, delivery_id: int
    ) -> weekly.DeliverySnapshot:
        """The person's own delivery, while it still takes answers."""
        with read_session(self._sessions) as session:
            delivery = weekly.get_delivery(session=session, delivery_id=delivery_id)
        if delivery.team_id != team_id or delivery.user_id != user_id:
            raise NotAllowed("That pulse was sent to someone else.")
        if self._clock.now() >= delivery.due_at + CLOSE_AFTER:
            self._redraw(delivery, blocks.build_weekly_closed())
            raise SurveyClosed("This week's pulse has closed.")
        return delivery

    def comment_topics(
        self, *, team_id: str, user_id: str, delivery_id: int
    ) -> list[tuple[int, str]]:
        """The departments this person was asked about, to comment on one of them."""
        delivery = self._open_delivery(team_id=team_id, user_id=user_id, delivery_id=delivery_id)
        topics: dict[int, str] = {}
        for question in delivery.questions:
            if question.department_id is not None and question.department_name:
                topics.setdefault(question.department_id, question.department_name)
        return list(topics.items())

    def comment(
        self,
        *,
        team_id: str,
        user_id: str,
        delivery_id: int,
        department_id: int | None,
        text: str,
    ) -> None:
        delivery = self._open_delivery(team_id=team_id, user_id=user_id, delivery_id=delivery_id)
        allowed = {q.department_id for q in delivery.questions if q.department_id is not None}
        if department_id is not None and department_id not in allowed:
            raise NotFound("Comment on one of the teams in your pulse, or on service in general.")
        with self._sessions.begin() as session:
            weekly.record_comment(
                session=session, delivery=delivery, department_id=department_id, text=text
            )
        # As with answers: neither the person nor the delivery.
        logger.info("weekly_pulse.commented", extra={"week": delivery.week.key})

    def _redraw(self, delivery: weekly.DeliverySnapshot, message: Message) -> None:
        if delivery.channel_id is None or delivery.ts is None:
            return
        channel, ts = delivery.channel_id, delivery.ts
        self._gateway.try_send(
            "weekly_pulse.update_failed",
            lambda: self._gateway.update_message(channel=channel, ts=ts, message=message),
        )

    # -- each person's status ---------------------------------------------------------------------
    def status(self, *, team_id: str, user_id: str) -> PulseStatus:
        now = self._clock.now()
        with read_session(self._sessions) as session:
            known = people.known_person(session=session, team_id=team_id, user_id=user_id)
        try:
            timezone = self._profiles.timezone(team_id=team_id, user_id=user_id, known=known)
        except SLACK_FAILURES:
            timezone = known.timezone  # still rate limited after the client's retries
        return PulseStatus(
            known.weekly_pulse_opted_out, self.next_due(now, timezone), self._anonymity_minimum
        )

    def next_due(self, now: datetime, timezone: str | None) -> datetime:
        """The first scheduled moment after `now` in the person's own time zone."""
        week = Week.of(now.astimezone(zone_or_utc(timezone)).date())
        due = self._schedule.due_at(week, timezone)
        if due <= now:
            due = self._schedule.due_at(Week(week.monday + timedelta(days=7)), timezone)
        return due

    def set_opted_out(self, *, team_id: str, user_id: str, opted_out: bool) -> PulseStatus:
        with self._sessions.begin() as session:
            people.set_weekly_pulse_opt_out(
                session=session, team_id=team_id, user_id=user_id, opted_out=opted_out
            )
        logger.info("weekly_pulse.opt_out" if opted_out else "weekly_pulse.opt_in")
        return self.status(team_id=team_id, user_id=user_id)
