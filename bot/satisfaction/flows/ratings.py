"""Answers to the satisfaction pulse: a click or an emoji rates the request, a comment goes
with it, and a low rating starts the recovery loop (the requester may reopen or ask for a
lead; the department's leads are told)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from bot import slack_events
from bot.blockkit import Message
from bot.clock import Clock
from bot.db import SessionFactory, read_session
from bot.errors import NotAllowed, SurveyClosed
from bot.kudos.rules import KudosOffer
from bot.reactions import Reaction, base_emoji
from bot.requests import store as request_store
from bot.requests.flows.notices import refresh_request_card
from bot.requests.rules import RequestSnapshot, RequestStatus
from bot.satisfaction import messages, store
from bot.satisfaction.rules import (
    LeadRequest,
    PulsePolicy,
    PulseSnapshot,
    PulseState,
    RatingChange,
    RatingSnapshot,
    RatingSource,
    SurveyMessageKind,
    is_low,
)
from bot.slack import SlackGateway

if TYPE_CHECKING:
    from bot.requests.flows.desk import ChangeHook

logger = logging.getLogger(__name__)


class Ratings:
    def __init__(
        self,
        *,
        session_factory: SessionFactory,
        gateway: SlackGateway,
        clock: Clock,
        policy: PulsePolicy,
        kudos_offer: KudosOffer | None = None,
        on_change: ChangeHook | None = None,
    ) -> None:
        self._sessions = session_factory
        self._gateway = gateway
        self._clock = clock
        self._policy = policy
        self._kudos_offer = kudos_offer
        # Told of each rating and comment in its transaction (App Home shows them to leads).
        self._on_change = on_change

    def _changed(self, session: Session, request: RequestSnapshot) -> None:
        if self._on_change is not None:
            self._on_change(session=session, requests=(request,), now=self._clock.now())

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
        self._update_pulse_message(
            pulse, messages.build_pulse_closed(request, score=request.rating)
        )

    def _load(
        self, session: Session, *, team_id: str, pulse_id: int
    ) -> tuple[PulseSnapshot, RequestSnapshot]:
        pulse = store.get_pulse(session=session, pulse_id=pulse_id, team_id=team_id)
        request = request_store.get_request(
            session=session, team_id=team_id, request_id=pulse.request_id
        )
        return pulse, request

    def rate(self, *, team_id: str, user_id: str, pulse_id: int, score: int) -> None:
        """A click on one of the pulse's 1-5 buttons."""
        with read_session(self._sessions) as session:
            pulse, request = self._load(session, team_id=team_id, pulse_id=pulse_id)
        self._check_open(pulse, user_id, request)
        with self._sessions.begin() as session:
            change = store.set_rating(
                session=session, pulse=pulse, score=score, now=self._clock.now()
            )
            self._changed(session, request)
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
            pulse = store.pulse_for_message(
                session=session, channel_id=reaction.channel_id, ts=reaction.ts
            )
            if pulse is None or pulse.team_id != reaction.team_id:
                return
            request = request_store.get_request(
                session=session, team_id=pulse.team_id, request_id=pulse.request_id
            )
            closed = pulse.is_closed(now, request)
            if reaction.user_id != pulse.requester_id or closed:
                logger.info(
                    "rating.reaction_ignored", extra={"pulse_id": pulse.id, "closed": closed}
                )
                return
            if not slack_events.first_delivery(
                session=session, team_id=reaction.team_id, event_id=reaction.event_id, now=now
            ):
                logger.info("slack.event_repeated", extra={"event_id": reaction.event_id})
                return
            change = store.apply_reaction(
                session=session,
                pulse=pulse,
                emoji=emoji,
                score=score,
                added=reaction.added,
                event_ts=reaction.event_ts,
                now=now,
            )
            if change.changed:
                self._changed(session, request)
        if change.changed:
            self._after_rating(pulse, change, source=RatingSource.REACTION)

    def _after_rating(
        self, pulse: PulseSnapshot, change: RatingChange, *, source: RatingSource
    ) -> None:
        with read_session(self._sessions) as session:
            request = request_store.get_request(
                session=session, team_id=pulse.team_id, request_id=pulse.request_id
            )
            rating = store.get_rating(session=session, request_id=pulse.request_id)
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
                clock=self._clock,
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
        alert = messages.build_lead_alert(request, score=change.after, comment=comment)
        self._tell_leads(request, alert, "rating.lead_alert_failed")
        if not has_pulse_message:
            offer = messages.build_recovery_offer(request, score=change.after)
            self._dm(request.requester_id, offer, "rating.recovery_offer_failed", request)

    def _pulse_message(
        self, pulse: PulseSnapshot, request: RequestSnapshot, rating: RatingSnapshot | None
    ) -> Message:
        if rating is None or rating.score is None:
            return messages.build_pulse_question(
                request, pulse_id=pulse.id, scale=self._policy.scale, closes_at=pulse.closes_at
            )
        kudos_to = None
        if self._kudos_offer is not None and rating.score >= messages.KUDOS_OFFER_MIN:
            kudos_to = self._kudos_offer(request)
        return messages.build_pulse_answered(
            request,
            pulse_id=pulse.id,
            score=rating.score,
            has_comment=bool(rating.comment),
            kudos_to=kudos_to,
        )

    def _update_pulse_message(self, pulse: PulseSnapshot, message: Message) -> bool:
        """Redraw the pulse DM if it was sent; False if there is none to redraw."""
        with read_session(self._sessions) as session:
            where = store.survey_message(
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
        message = messages.build_pulse_question(
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
            rating = store.get_rating(session=session, request_id=pulse.request_id)
        self._check_open(pulse, user_id, request)
        return request, rating.comment if rating is not None else None

    def save_comment(self, *, team_id: str, user_id: str, pulse_id: int, comment: str) -> None:
        with read_session(self._sessions) as session:
            pulse, request = self._load(session, team_id=team_id, pulse_id=pulse_id)
        self._check_open(pulse, user_id, request)
        with self._sessions.begin() as session:
            store.set_comment(session=session, pulse=pulse, comment=comment, now=self._clock.now())
            self._changed(session, request)
            rating = store.get_rating(session=session, request_id=pulse.request_id)
        logger.info("rating.commented", extra={"request_id": request.id})
        self._update_pulse_message(pulse, self._pulse_message(pulse, request, rating))
        message = messages.build_comment_forward(request, score=request.rating, comment=comment)
        self._tell_leads(request, message, "rating.comment_forward_failed")

    def talk_to_lead(self, *, team_id: str, user_id: str, request_id: int) -> LeadRequest:
        """Ask the department's leads (or the admins) to reach out, once per low rating."""
        with read_session(self._sessions) as session:
            request = request_store.get_request(
                session=session, team_id=team_id, request_id=request_id
            )
        if user_id != request.requester_id:
            raise NotAllowed("Only the person who filed the request can ask for a lead.")
        if request.rating is None or not is_low(request.rating):
            raise NotAllowed(
                f"Talking to a lead follows a rating of 1 or 2, and {request.reference} "
                "does not have one now."
            )
        with self._sessions.begin() as session:
            first = store.claim_lead_request(
                session=session, request_id=request.id, now=self._clock.now()
            )
        leads = request.department.leads or self._policy.admins
        if not first:
            return LeadRequest(leads=leads, repeated=True)
        message = messages.build_talk_to_lead(request, score=request.rating)
        told = self._tell_leads(request, message, "rating.talk_to_lead_failed")
        logger.info("rating.talk_to_lead", extra={"request_id": request.id, "leads": len(told)})
        return LeadRequest(leads=told, repeated=False)

    def _tell_leads(
        self, request: RequestSnapshot, message: Message, failure_event: str
    ) -> tuple[str, ...]:
        """DM the department's leads, or the admins when it names none; returns who got it."""
        recipients = request.department.leads or self._policy.admins
        if not recipients:
            logger.warning("rating.no_leads", extra={"department": request.department.key})
        return tuple(lead for lead in recipients if self._dm(lead, message, failure_event, request))

    def _dm(
        self,
        user_id: str,
        message: Message,
        failure_event: str,
        request: RequestSnapshot,
    ) -> bool:
        return self._gateway.try_send(
            failure_event,
            lambda: self._gateway.post_message(channel=user_id, message=message),
            request_id=request.id,
        )
