"""Satisfaction after resolution: the delayed pulse DM, ratings by button or emoji, comments,
and the recovery loop that follows a low rating.

Each workflow runs its own short transactions and calls Slack between them, as the request
desk does. Scheduled sends go through `job_gateway`, whose 429s reach the job runner instead
of being slept through.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from bot.blocks import requests as request_blocks
from bot.blocks import satisfaction as blocks
from bot.clock import Clock
from bot.db import SessionFactory, read_session
from bot.domain.lifecycle import RequestAction, RequestStatus
from bot.domain.satisfaction import (
    PulseDecisionKind,
    RatingScale,
    WorkingHours,
    base_emoji,
    decide_pulse,
    is_low,
    pulse_closes_at,
    rating_counts_for_resolution,
)
from bot.domain.snapshots import (
    FeedbackItem,
    PulseSnapshot,
    PulseState,
    RatingSnapshot,
    RatingSource,
    RequestSnapshot,
    SkipReason,
    SurveyMessageKind,
    TeamFeedback,
)
from bot.errors import NotAllowed, SurveyClosed
from bot.jobs import JobSnapshot, RunLater
from bot.services import events, people, ratings, reports
from bot.services import requests as request_service
from bot.services.cards import refresh_request_card
from bot.services.profiles import Profiles
from bot.settings import Settings
from bot.slack import MessageTag, PostedMessage, SlackGateway

logger = logging.getLogger(__name__)


# The name to offer "Send kudos to …" for on a resolved request's messages, or None.
KudosOffer = Callable[[RequestSnapshot], str | None]


@dataclass(frozen=True)
class PulsePolicy:
    delay: timedelta
    cooldown: timedelta
    working_hours: WorkingHours
    scale: RatingScale
    admins: tuple[str, ...] = ()

    @classmethod
    def from_settings(cls, settings: Settings) -> PulsePolicy:
        return cls(
            delay=settings.pulse_delay,
            cooldown=settings.pulse_cooldown,
            working_hours=settings.working_hours,
            scale=settings.rating_scale,
            admins=settings.admin_user_ids,
        )


# The metadata event type on pulse DMs, which finds one whose posting was interrupted.
SATISFACTION_PULSE_TAG = "pulsedesk_satisfaction_pulse"
FEEDBACK_WINDOW_DAYS = 30
FEEDBACK_ITEMS_MAX = 10


@dataclass(frozen=True)
class Reaction:
    team_id: str
    event_id: str
    user_id: str
    reaction: str
    channel_id: str
    ts: str
    added: bool
    # When Slack saw the reaction; orders deliveries that arrive out of order.
    event_ts: str | None = None
    # Who wrote the message reacted to.
    item_user: str | None = None


def _rated_for(pulse: PulseSnapshot, rating: RatingSnapshot | None) -> bool:
    """Whether the request has a rating given since the resolution this pulse is about."""
    rated_at = rating.rated_at if rating is not None and rating.score is not None else None
    return rating_counts_for_resolution(rated_at, pulse.resolved_at)


class SatisfactionService:
    def __init__(
        self,
        *,
        session_factory: SessionFactory,
        gateway: SlackGateway,
        job_gateway: SlackGateway,
        clock: Clock,
        policy: PulsePolicy,
        kudos_offer: KudosOffer | None = None,
    ) -> None:
        self._sessions = session_factory
        self._kudos_offer = kudos_offer
        self._gateway = gateway
        self._job_gateway = job_gateway
        self._clock = clock
        self._policy = policy
        self._profiles = Profiles(session_factory=session_factory, gateway=job_gateway, clock=clock)

    @property
    def rating_hint(self) -> str:
        return blocks.rating_hint(self._policy.scale)

    # -- hooks of the request desk ------------------------------------------------------------
    def on_transition(
        self, session: Session, *, request: RequestSnapshot, action: RequestAction, now: datetime
    ) -> None:
        """In the transition's own transaction: a resolution schedules its pulse, a reopen
        cancels the pulse that has not gone out yet."""
        if action is RequestAction.RESOLVE:
            ratings.schedule_pulse(
                session=session, request=request, delay=self._policy.delay, now=now
            )
        elif action is RequestAction.REOPEN:
            ratings.cancel_unsent_pulses(session=session, request_id=request.id, now=now)

    def record_resolution_dm(self, request: RequestSnapshot, posted: PostedMessage) -> None:
        """Remember the resolution DM, so a reaction to it rates the request."""
        with self._sessions.begin() as session:
            pulse = ratings.latest_pulse(session=session, request_id=request.id)
            if pulse is None or pulse.state is PulseState.CANCELLED:
                return
            ratings.record_survey_message(
                session=session,
                pulse=pulse,
                kind=SurveyMessageKind.RESOLUTION,
                channel_id=posted.channel,
                ts=posted.ts,
                now=self._clock.now(),
            )

    # -- scheduled jobs -----------------------------------------------------------------------
    def send_pulse(self, job: JobSnapshot) -> None:
        pulse_id = int(job.payload["pulse_id"])
        with read_session(self._sessions) as session:
            pulse = ratings.get_pulse(session=session, pulse_id=pulse_id)
            if pulse.state not in (PulseState.SCHEDULED, PulseState.SENDING):
                return
            request = request_service.get_request(
                session=session, team_id=pulse.team_id, request_id=pulse.request_id
            )
            rating = ratings.get_rating(session=session, request_id=pulse.request_id)
            known = people.known_person(
                session=session, team_id=pulse.team_id, user_id=pulse.requester_id
            )
        if pulse.state is PulseState.SCHEDULED:
            if not self._claim_pulse(pulse, request, rating, known):
                return
        elif not self._still_wanted(pulse, rating, known):
            return
        now = self._clock.now()
        message = blocks.build_pulse_question(
            request, pulse_id=pulse.id, scale=self._policy.scale, closes_at=pulse_closes_at(now)
        )
        tag = MessageTag(SATISFACTION_PULSE_TAG, pulse.id)
        posted = None
        if pulse.state is PulseState.SENDING:
            # An earlier try was interrupted after it began to post: did the DM arrive?
            posted = self._job_gateway.find_tagged_dm(user_id=pulse.requester_id, tag=tag)
        if posted is None:
            posted = self._job_gateway.post_message(
                channel=pulse.requester_id, message=message, tag=tag
            )
        with self._sessions.begin() as session:
            ratings.set_pulse_state(
                session=session,
                pulse_id=pulse.id,
                state=PulseState.SENT,
                now=now,
                expected=(PulseState.SENDING,),
            )
            sent = ratings.get_pulse(session=session, pulse_id=pulse.id)
            ratings.record_survey_message(
                session=session,
                pulse=sent,
                kind=SurveyMessageKind.PULSE,
                channel_id=posted.channel,
                ts=posted.ts,
                now=now,
            )
            if sent.state is PulseState.SENT:
                ratings.schedule_close(session=session, pulse=sent, now=now)
        logger.info("pulse.sent", extra={"pulse_id": pulse.id, "request_id": request.id})

    def _claim_pulse(
        self,
        pulse: PulseSnapshot,
        request: RequestSnapshot,
        rating: RatingSnapshot | None,
        known: people.KnownPerson,
    ) -> bool:
        """Decide a scheduled pulse; True once it is this runner's to send (state SENDING)."""
        now = self._clock.now()
        if request.status is not RequestStatus.RESOLVED:
            self._settle(pulse, PulseState.CANCELLED, None)
            return False
        rated = _rated_for(pulse, rating)
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
            if not ratings.set_pulse_state(
                session=session,
                pulse_id=pulse.id,
                state=PulseState.SENDING,
                now=now,
                expected=(PulseState.SCHEDULED,),
            ):
                return False
            reserved = people.reserve_satisfaction_pulse(
                session=session,
                team_id=pulse.team_id,
                user_id=pulse.requester_id,
                now=now,
                cooldown=self._policy.cooldown,
            )
            if not reserved:
                # Another pulse to this person went out a moment ago, on another worker.
                ratings.set_pulse_state(
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
        self, pulse: PulseSnapshot, rating: RatingSnapshot | None, known: people.KnownPerson
    ) -> bool:
        """A pulse tried again after a failure or a 429: the requester may have rated by emoji
        meanwhile, or the retry may fall after working hours."""
        if _rated_for(pulse, rating):
            self._settle(pulse, PulseState.SKIPPED, SkipReason.RATED)
            return False
        now = self._clock.now()
        opening = self._policy.working_hours.next_opening(now, known.timezone)
        if opening > now:
            raise RunLater(opening, "outside the requester's working hours")
        return True

    def _settle(self, pulse: PulseSnapshot, state: PulseState, reason: SkipReason | None) -> None:
        with self._sessions.begin() as session:
            settled = ratings.set_pulse_state(
                session=session,
                pulse_id=pulse.id,
                state=state,
                now=self._clock.now(),
                expected=(pulse.state,),
                skip_reason=reason,
            )
            if settled:
                ratings.release_cooldown(session=session, pulse=pulse)
        logger.info(
            "pulse.settled",
            extra={"pulse_id": pulse.id, "state": state.value, "reason": reason and reason.value},
        )

    def give_up_pulse(self, job: JobSnapshot, error: str) -> None:
        with self._sessions.begin() as session:
            pulse = ratings.get_pulse(session=session, pulse_id=int(job.payload["pulse_id"]))
            if ratings.set_pulse_state(
                session=session,
                pulse_id=pulse.id,
                state=PulseState.FAILED,
                now=self._clock.now(),
                expected=(PulseState.SCHEDULED, PulseState.SENDING),
            ):
                ratings.release_cooldown(session=session, pulse=pulse)

    def close_pulse(self, job: JobSnapshot) -> None:
        """Rewrite an expired pulse DM without buttons, showing the answer if there is one."""
        with read_session(self._sessions) as session:
            pulse = ratings.get_pulse(session=session, pulse_id=int(job.payload["pulse_id"]))
            where = ratings.survey_message(
                session=session, pulse_id=pulse.id, kind=SurveyMessageKind.PULSE
            )
            request = request_service.get_request(
                session=session, team_id=pulse.team_id, request_id=pulse.request_id
            )
        if where is None:
            return
        message = blocks.build_pulse_closed(request, score=request.rating)
        self._job_gateway.update_message(channel=where[0], ts=where[1], message=message)

    # -- answers ----------------------------------------------------------------------------
    def _check_open(self, pulse: PulseSnapshot, user_id: str, request: RequestSnapshot) -> None:
        if user_id != pulse.requester_id:
            raise NotAllowed("Only the person who filed the request can rate it.")
        reopened = pulse.state is PulseState.CANCELLED or (
            request.status is not RequestStatus.RESOLVED or request.resolved_at != pulse.resolved_at
        )
        if reopened:
            raise SurveyClosed(
                f"{request.reference} was reopened, so this survey has closed. "
                "You'll be asked again once it is resolved."
            )
        if pulse.is_closed(self._clock.now(), request):
            self._show_closed(pulse, request)
            raise SurveyClosed("This survey has closed.")

    def _show_closed(self, pulse: PulseSnapshot, request: RequestSnapshot) -> None:
        self._update_pulse_message(pulse, blocks.build_pulse_closed(request, score=request.rating))

    def _load(
        self, session: Session, *, team_id: str, pulse_id: int
    ) -> tuple[PulseSnapshot, RequestSnapshot]:
        pulse = ratings.get_pulse(session=session, pulse_id=pulse_id, team_id=team_id)
        request = request_service.get_request(
            session=session, team_id=team_id, request_id=pulse.request_id
        )
        return pulse, request

    def rate(self, *, team_id: str, user_id: str, pulse_id: int, score: int) -> None:
        """A click on one of the pulse's 1-5 buttons."""
        with read_session(self._sessions) as session:
            pulse, request = self._load(session, team_id=team_id, pulse_id=pulse_id)
        self._check_open(pulse, user_id, request)
        with self._sessions.begin() as session:
            change = ratings.set_rating(
                session=session, pulse=pulse, score=score, now=self._clock.now()
            )
        self._after_rating(pulse, change, source=RatingSource.BUTTON)

    def react(self, reaction: Reaction) -> None:
        """An emoji added to or removed from a resolution or pulse DM. Anything else (other
        messages, other people, other emoji, repeated deliveries) changes nothing."""
        score = self._policy.scale.score_of(reaction.reaction)
        if score is None:
            return
        emoji = base_emoji(reaction.reaction)
        now = self._clock.now()
        with self._sessions.begin() as session:
            pulse = ratings.pulse_for_message(
                session=session, channel_id=reaction.channel_id, ts=reaction.ts
            )
            if pulse is None or pulse.team_id != reaction.team_id:
                return
            request = request_service.get_request(
                session=session, team_id=pulse.team_id, request_id=pulse.request_id
            )
            closed = pulse.is_closed(now, request)
            if reaction.user_id != pulse.requester_id or closed:
                logger.info(
                    "rating.reaction_ignored", extra={"pulse_id": pulse.id, "closed": closed}
                )
                return
            if not events.first_delivery(
                session=session, team_id=reaction.team_id, event_id=reaction.event_id, now=now
            ):
                logger.info("slack.event_repeated", extra={"event_id": reaction.event_id})
                return
            change = ratings.apply_reaction(
                session=session,
                pulse=pulse,
                emoji=emoji,
                score=score,
                added=reaction.added,
                event_ts=reaction.event_ts,
                now=now,
            )
        if change.changed:
            self._after_rating(pulse, change, source=RatingSource.REACTION)

    def _after_rating(
        self, pulse: PulseSnapshot, change: ratings.RatingChange, *, source: RatingSource
    ) -> None:
        with read_session(self._sessions) as session:
            request = request_service.get_request(
                session=session, team_id=pulse.team_id, request_id=pulse.request_id
            )
            rating = ratings.get_rating(session=session, request_id=pulse.request_id)
        logger.info(
            "rating.recorded" if change.after is not None else "rating.withdrawn",
            extra={"request_id": request.id, "score": change.after, "source": source.value},
        )
        has_pulse_message = self._update_pulse_message(
            pulse, self._pulse_message(pulse, request, rating)
        )
        if change.changed:
            refresh_request_card(
                sessions=self._sessions,
                gateway=self._gateway,
                team_id=request.team_id,
                request_id=request.id,
            )
        became_low = (
            change.after is not None
            and is_low(change.after)
            and (change.before is None or not is_low(change.before))
        )
        if not became_low:
            return
        assert change.after is not None
        comment = rating.comment if rating is not None else None
        alert = blocks.build_lead_alert(request, score=change.after, comment=comment)
        self._tell_leads(request, alert, "rating.lead_alert_failed")
        if not has_pulse_message:
            offer = blocks.build_recovery_offer(request, score=change.after)
            self._dm(request.requester_id, offer, "rating.recovery_offer_failed", request)

    def _pulse_message(
        self, pulse: PulseSnapshot, request: RequestSnapshot, rating: RatingSnapshot | None
    ) -> request_blocks.Message:
        if rating is None or rating.score is None:
            return blocks.build_pulse_question(
                request, pulse_id=pulse.id, scale=self._policy.scale, closes_at=pulse.closes_at
            )
        kudos_to = None
        if self._kudos_offer is not None and rating.score >= blocks.KUDOS_OFFER_MIN:
            kudos_to = self._kudos_offer(request)
        return blocks.build_pulse_answered(
            request,
            pulse_id=pulse.id,
            score=rating.score,
            has_comment=bool(rating.comment),
            kudos_to=kudos_to,
        )

    def _update_pulse_message(self, pulse: PulseSnapshot, message: request_blocks.Message) -> bool:
        """Redraw the pulse DM if it was sent; False if there is none to redraw."""
        with read_session(self._sessions) as session:
            where = ratings.survey_message(
                session=session, pulse_id=pulse.id, kind=SurveyMessageKind.PULSE
            )
        if where is None:
            return False
        channel, ts = where
        self._gateway.try_send(
            "pulse.update_failed",
            lambda: self._gateway.update_message(channel=channel, ts=ts, message=message),
            pulse_id=pulse.id,
        )
        return True

    def show_question(self, *, team_id: str, user_id: str, pulse_id: int) -> None:
        """ "Change": the question again, with the current answer highlighted."""
        with read_session(self._sessions) as session:
            pulse, request = self._load(session, team_id=team_id, pulse_id=pulse_id)
        self._check_open(pulse, user_id, request)
        message = blocks.build_pulse_question(
            request,
            pulse_id=pulse.id,
            scale=self._policy.scale,
            closes_at=pulse.closes_at,
            current=request.rating,
        )
        self._update_pulse_message(pulse, message)

    def comment_form(
        self, *, team_id: str, user_id: str, pulse_id: int
    ) -> tuple[RequestSnapshot, str | None]:
        """The request and the comment so far, for the comment modal."""
        with read_session(self._sessions) as session:
            pulse, request = self._load(session, team_id=team_id, pulse_id=pulse_id)
            rating = ratings.get_rating(session=session, request_id=pulse.request_id)
        self._check_open(pulse, user_id, request)
        return request, rating.comment if rating is not None else None

    def save_comment(self, *, team_id: str, user_id: str, pulse_id: int, comment: str) -> None:
        with read_session(self._sessions) as session:
            pulse, request = self._load(session, team_id=team_id, pulse_id=pulse_id)
        self._check_open(pulse, user_id, request)
        with self._sessions.begin() as session:
            ratings.set_comment(
                session=session, pulse=pulse, comment=comment, now=self._clock.now()
            )
            rating = ratings.get_rating(session=session, request_id=pulse.request_id)
        logger.info("rating.commented", extra={"request_id": request.id})
        self._update_pulse_message(pulse, self._pulse_message(pulse, request, rating))
        message = blocks.build_comment_forward(request, score=request.rating, comment=comment)
        self._tell_leads(request, message, "rating.comment_forward_failed")

    def talk_to_lead(self, *, team_id: str, user_id: str, request_id: int) -> tuple[str, ...]:
        """Ask the department's leads (or the admins) to reach out; returns who was asked."""
        with read_session(self._sessions) as session:
            request = request_service.get_request(
                session=session, team_id=team_id, request_id=request_id
            )
        if user_id != request.requester_id:
            raise NotAllowed("Only the person who filed the request can ask for a lead.")
        message = blocks.build_talk_to_lead(request, score=request.rating)
        told = self._tell_leads(request, message, "rating.talk_to_lead_failed")
        logger.info("rating.talk_to_lead", extra={"request_id": request.id, "leads": len(told)})
        return told

    def _tell_leads(
        self, request: RequestSnapshot, message: request_blocks.Message, failure_event: str
    ) -> tuple[str, ...]:
        """DM the department's leads, or the admins when it names none; returns who got it."""
        recipients = request.department.leads or self._policy.admins
        if not recipients:
            logger.warning("rating.no_leads", extra={"department": request.department.key})
        return tuple(lead for lead in recipients if self._dm(lead, message, failure_event, request))

    def _dm(
        self,
        user_id: str,
        message: request_blocks.Message,
        failure_event: str,
        request: RequestSnapshot,
    ) -> bool:
        return self._gateway.try_send(
            failure_event,
            lambda: self._gateway.post_message(channel=user_id, message=message),
            request_id=request.id,
        )

    # -- feedback for leads and admins -----------------------------------------------------------
    def team_feedback(self, *, team_id: str, user_id: str) -> TeamFeedback | None:
        """Results and recent comments of the departments this person leads, every
        department for an admin, None for everyone else: comments are for them only."""
        now = self._clock.now()
        with read_session(self._sessions) as session:
            departments = request_service.list_departments(session=session, team_id=team_id)
            if user_id not in self._policy.admins:
                departments = [d for d in departments if user_id in d.leads]
            if not departments:
                return None
            ids = {d.id for d in departments}
            keys = {d.key for d in departments}
            report = reports.build_report(session=session, now=now, days=FEEDBACK_WINDOW_DAYS)
            rows = ratings.recent_feedback(
                session=session,
                department_ids=sorted(ids),
                since=now - timedelta(days=FEEDBACK_WINDOW_DAYS),
                limit=FEEDBACK_ITEMS_MAX,
            )
            recent = [
                FeedbackItem(
                    request=request_service.get_request(
                        session=session, team_id=team_id, request_id=request_id
                    ),
                    score=score,
                    comment=comment,
                    at=at,
                )
                for request_id, score, comment, at in rows
            ]
        results = [d for d in report.departments if d.team_id == team_id and d.key in keys]
        return TeamFeedback(departments=results, recent=recent, days=FEEDBACK_WINDOW_DAYS)
