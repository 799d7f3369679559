"""The satisfaction pulse's life: scheduled with a resolution, sent as a DM at the requester's
working hours (once per cooldown), closed when its answer window ends.

Scheduled sends go through the job gateway, whose 429s reach the job runner instead of
being slept through.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.orm import Session

from bot.clock import Clock
from bot.db import SessionFactory, read_session
from bot.jobs import JobSnapshot, RunLater
from bot.people import store as people_store
from bot.people.flows import Profiles
from bot.people.rules import KnownPerson
from bot.requests import store as request_store
from bot.requests.rules import RequestAction, RequestSnapshot, RequestStatus
from bot.satisfaction import messages, store
from bot.satisfaction.rules import (
    SATISFACTION_PULSE_TAG,
    PulseDecisionKind,
    PulsePolicy,
    PulseSnapshot,
    PulseState,
    RatingSnapshot,
    SkipReason,
    SurveyMessageKind,
    decide_pulse,
    pulse_closes_at,
    rated_for,
)
from bot.slack import MessageTag, PostedMessage, SlackGateway

logger = logging.getLogger(__name__)


class Pulses:
    def __init__(
        self,
        *,
        session_factory: SessionFactory,
        job_gateway: SlackGateway,
        clock: Clock,
        policy: PulsePolicy,
    ) -> None:
        self._sessions = session_factory
        self._job_gateway = job_gateway
        self._clock = clock
        self._policy = policy
        self._profiles = Profiles(session_factory=session_factory, gateway=job_gateway, clock=clock)

    @property
    def rating_hint(self) -> str:
        return messages.rating_hint(self._policy.scale)

    def on_transition(
        self, session: Session, *, request: RequestSnapshot, action: RequestAction, now: datetime
    ) -> None:
        """In the transition's own transaction: a resolution schedules its pulse, a reopen
        cancels the pulse that has not gone out yet."""
        if action is RequestAction.RESOLVE:
            store.schedule_pulse(
                session=session, request=request, delay=self._policy.delay, now=now
            )
        elif action is RequestAction.REOPEN:
            store.cancel_unsent_pulses(session=session, request_id=request.id, now=now)

    def record_resolution_dm(self, request: RequestSnapshot, posted: PostedMessage) -> None:
        """Remember the resolution DM, so a reaction to it rates the request."""
        with self._sessions.begin() as session:
            pulse = store.latest_pulse(session=session, request_id=request.id)
            if pulse is None or pulse.state is PulseState.CANCELLED:
                return
            store.record_survey_message(
                session=session,
                pulse=pulse,
                kind=SurveyMessageKind.RESOLUTION,
                channel_id=posted.channel,
                ts=posted.ts,
                now=self._clock.now(),
            )

    def send_pulse(self, job: JobSnapshot) -> None:
        pulse_id = int(job.payload["pulse_id"])
        with read_session(self._sessions) as session:
            pulse = store.get_pulse(session=session, pulse_id=pulse_id)
            if pulse.state not in (PulseState.SCHEDULED, PulseState.SENDING):
                return
            request = request_store.get_request(
                session=session, team_id=pulse.team_id, request_id=pulse.request_id
            )
            rating = store.get_rating(session=session, request_id=pulse.request_id)
            known = people_store.known_person(
                session=session, team_id=pulse.team_id, user_id=pulse.requester_id
            )
        if pulse.state is PulseState.SCHEDULED:
            if not self._claim_pulse(pulse, request, rating, known):
                return
        elif not self._still_wanted(pulse, rating, known):
            return
        now = self._clock.now()
        message = messages.build_pulse_question(
            request, pulse_id=pulse.id, scale=self._policy.scale, closes_at=pulse_closes_at(now)
        )
        posted = self._job_gateway.post_once(
            channel=pulse.requester_id,
            message=message,
            tag=MessageTag(SATISFACTION_PULSE_TAG, pulse.id),
            # Already sending: an earlier try was interrupted after it began to post.
            resumed=pulse.state is PulseState.SENDING,
        )
        with self._sessions.begin() as session:
            store.set_pulse_state(
                session=session,
                pulse_id=pulse.id,
                state=PulseState.SENT,
                now=now,
                expected=(PulseState.SENDING,),
            )
            sent = store.get_pulse(session=session, pulse_id=pulse.id)
            store.record_survey_message(
                session=session,
                pulse=sent,
                kind=SurveyMessageKind.PULSE,
                channel_id=posted.channel,
                ts=posted.ts,
                now=now,
            )
            if sent.state is PulseState.SENT:
                store.schedule_close(session=session, pulse=sent, now=now)
        logger.info("pulse.sent", extra={"pulse_id": pulse.id, "request_id": request.id})

    def _claim_pulse(
        self,
        pulse: PulseSnapshot,
        request: RequestSnapshot,
        rating: RatingSnapshot | None,
        known: KnownPerson,
    ) -> bool:
        """Decide a scheduled pulse; True once it is this runner's to send (state SENDING)."""
        now = self._clock.now()
        if request.status is not RequestStatus.RESOLVED:
            self._settle(pulse, PulseState.CANCELLED, None)
            return False
        rated = rated_for(pulse, rating)
        timezone = known.timezone
        if not rated:
            timezone = self._profiles.timezone(
                team_id=pulse.team_id, user_id=pulse.requester_id, known=known
            )
        decision = decide_pulse(
            now=now,
            rated=rated,
            last_pulse_sent_at=known.last_satisfaction_pulse_at,
            cooldown=self._policy.cooldown,
            working_hours=self._policy.working_hours,
            timezone=timezone,
        )
        if decision.kind is PulseDecisionKind.SKIP_RATED:
            self._settle(pulse, PulseState.SKIPPED, SkipReason.RATED)
            return False
        if decision.kind is PulseDecisionKind.WAIT:
            assert decision.wait_until is not None
            raise RunLater(decision.wait_until, "outside the requester's working hours")
        if decision.kind is PulseDecisionKind.SKIP_COOLDOWN:
            self._settle(pulse, PulseState.SKIPPED, SkipReason.COOLDOWN)
            return False
        with self._sessions.begin() as session:
            if not store.set_pulse_state(
                session=session,
                pulse_id=pulse.id,
                state=PulseState.SENDING,
                now=now,
                expected=(PulseState.SCHEDULED,),
            ):
                return False
            reserved = people_store.reserve_satisfaction_pulse(
                session=session,
                team_id=pulse.team_id,
                user_id=pulse.requester_id,
                now=now,
                cooldown=self._policy.cooldown,
            )
            if not reserved:
                # Another pulse to this person went out a moment ago, on another worker.
                store.set_pulse_state(
                    session=session,
                    pulse_id=pulse.id,
                    state=PulseState.SKIPPED,
                    now=now,
                    expected=(PulseState.SENDING,),
                    skip_reason=SkipReason.COOLDOWN,
                )
        if not reserved:
            logger.info("pulse.skipped", extra={"pulse_id": pulse.id, "reason": "cooldown"})
        return reserved

    def _still_wanted(
        self, pulse: PulseSnapshot, rating: RatingSnapshot | None, known: KnownPerson
    ) -> bool:
        """A pulse tried again after a failure or a 429: the requester may have rated by emoji
        meanwhile, or the retry may fall after working hours."""
        if rated_for(pulse, rating):
            self._settle(pulse, PulseState.SKIPPED, SkipReason.RATED)
            return False
        now = self._clock.now()
        opening = self._policy.working_hours.next_opening(now, known.timezone)
        if opening > now:
            raise RunLater(opening, "outside the requester's working hours")
        return True

    def _settle(self, pulse: PulseSnapshot, state: PulseState, reason: SkipReason | None) -> None:
        with self._sessions.begin() as session:
            settled = store.set_pulse_state(
                session=session,
                pulse_id=pulse.id,
                state=state,
                now=self._clock.now(),
                expected=(pulse.state,),
                skip_reason=reason,
            )
            if settled:
                store.release_cooldown(session=session, pulse=pulse)
        logger.info(
            "pulse.settled",
            extra={"pulse_id": pulse.id, "state": state.value, "reason": reason and reason.value},
        )

    def give_up_pulse(self, job: JobSnapshot, error: str) -> None:
        with self._sessions.begin() as session:
            pulse = store.get_pulse(session=session, pulse_id=int(job.payload["pulse_id"]))
            if store.set_pulse_state(
                session=session,
                pulse_id=pulse.id,
                state=PulseState.FAILED,
                now=self._clock.now(),
                expected=(PulseState.SCHEDULED, PulseState.SENDING),
            ):
                store.release_cooldown(session=session, pulse=pulse)

    def close_pulse(self, job: JobSnapshot) -> None:
        """Rewrite an expired pulse DM without buttons, showing the answer if there is one."""
        with read_session(self._sessions) as session:
            pulse = store.get_pulse(session=session, pulse_id=int(job.payload["pulse_id"]))
            where = store.survey_message(
                session=session, pulse_id=pulse.id, kind=SurveyMessageKind.PULSE
            )
            request = request_store.get_request(
                session=session, team_id=pulse.team_id, request_id=pulse.request_id
            )
        if where is None:
            return
        message = messages.build_pulse_closed(request, score=request.rating)
        self._job_gateway.update_message(channel=where[0], ts=where[1], message=message)
