"""Answers to the weekly pulse: one tap per question and an optional comment, stored apart
from the person who gave them."""

from __future__ import annotations

import logging

from sqlalchemy.orm import Session

from bot.blockkit import Message
from bot.calendar import Week
from bot.clock import Clock
from bot.db import SessionFactory, read_session
from bot.errors import NotAllowed, NotFound, SurveyClosed
from bot.jobs import JobSnapshot
from bot.sealing import Writer
from bot.slack import SlackGateway
from bot.weekly import messages, store
from bot.weekly.comments import store as comments_store
from bot.weekly.comments.flows import Replies
from bot.weekly.rules import DeliverySnapshot
from bot.weekly.updates import store as updates_store

logger = logging.getLogger(__name__)


class Answers:
    def __init__(
        self,
        *,
        session_factory: SessionFactory,
        gateway: SlackGateway,
        clock: Clock,
        anonymity_minimum: int,
        replies: Replies | None = None,
    ) -> None:
        self._sessions = session_factory
        self._gateway = gateway
        self._clock = clock
        self._anonymity_minimum = anonymity_minimum
        # Seals a comment's writer when they let the team reply; None: replies are off.
        self._replies = replies

    def record(
        self, *, team_id: str, user_id: str, delivery_id: int, index: int, score: int
    ) -> None:
        """One tap, stored before Slack is answered: the answer apart from the person, and on
        the delivery only that the question is answered. No call to Slack, so it is quick
        enough for the ack; `show_answered` redraws the DM afterwards."""
        delivery = self._open_delivery(
            team_id=team_id, user_id=user_id, delivery_id=delivery_id, redraw_closed=False
        )
        if not 0 <= index < len(delivery.questions) or score not in delivery.questions[index].scale:
            raise NotFound("That answer is not one of the choices.")
        with self._sessions.begin() as session:
            self._hold_open(session, delivery)
            recorded = store.record_answer(
                session=session, delivery=delivery, index=index, score=score
            )
        if recorded:
            self._release_when_enough(delivery)

    def show_answered(self, *, team_id: str, user_id: str, delivery_id: int) -> None:
        """The DM redrawn with what is answered now, or closed."""
        delivery = self._open_delivery(team_id=team_id, user_id=user_id, delivery_id=delivery_id)
        with read_session(self._sessions) as session:
            updates = updates_store.for_delivery(session=session, delivery=delivery)
        message = messages.build_weekly_pulse(
            delivery_id=delivery.id,
            questions=delivery.questions,
            answered=delivery.answered,
            closes_at=delivery.closes_at,
            minimum=self._anonymity_minimum,
            updates=updates,
        )
        self._redraw(delivery, message)

    def _release_when_enough(self, delivery: DeliverySnapshot) -> None:
        """Once enough people's answers to the week are pending to hide each among the
        others, move them, shuffled, in a transaction apart from any answer's. Nothing is
        logged per answer: a log line beside the person's DM update would tie the two."""
        team_id, week, minimum = delivery.team_id, delivery.week, self._anonymity_minimum
        with self._sessions.begin() as session:
            if store.pending_people(session=session, team_id=team_id, week=week) < minimum:
                return
            released = store.release_answers(
                session=session, team_id=team_id, week=week, minimum_people=minimum
            )
        if not released:
            return
        logger.info("weekly_pulse.answers_released", extra={"week": week.key, "count": released})

    def release_week(self, job: JobSnapshot) -> None:
        """When the week's answers close: the rest of its pending answers, and its comments."""
        week = Week.parse(str(job.payload["week"]))
        with self._sessions.begin() as session:
            store.close_week(session=session, team_id=job.team_id, week=week)
            answers = store.release_answers(session=session, team_id=job.team_id, week=week)
            comments = comments_store.release_comments(
                session=session, team_id=job.team_id, week=week
            )
        logger.info(
            "weekly_pulse.week_released",
            extra={"week": week.key, "answers": answers, "comments": comments},
        )

    @property
    def anonymity_minimum(self) -> int:
        return self._anonymity_minimum

    @property
    def replies_offered(self) -> bool:
        return self._replies is not None and self._replies.offered

    def _open_delivery(
        self, *, team_id: str, user_id: str, delivery_id: int, redraw_closed: bool = True
    ) -> DeliverySnapshot:
        """The person's own delivery, while it still takes answers."""
        with read_session(self._sessions) as session:
            delivery = store.get_delivery(session=session, delivery_id=delivery_id)
        if delivery.team_id != team_id or delivery.user_id != user_id:
            raise NotAllowed("That pulse was sent to someone else.")
        if self._clock.now() >= delivery.closes_at:
            if redraw_closed:
                self._redraw(delivery, messages.build_weekly_closed())
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
        reply: bool = False,
    ) -> None:
        """`reply`: the writer lets the team reply, so the comment keeps them sealed."""
        delivery = self._open_delivery(team_id=team_id, user_id=user_id, delivery_id=delivery_id)
        allowed = {q.department_id for q in delivery.questions if q.department_id is not None}
        if department_id is not None and department_id not in allowed:
            raise NotFound("Comment on one of the teams in your pulse, or on service in general.")
        token = None
        if reply and self._replies is not None:
            token = self._replies.seal(
                Writer(team_id=delivery.team_id, user_id=delivery.user_id),
                week=delivery.week.key,
                department_id=department_id,
            )
        with self._sessions.begin() as session:
            self._hold_open(session, delivery)
            comments_store.record_comment(
                session=session,
                delivery=delivery,
                department_id=department_id,
                text=text,
                reply_token=token,
            )

    def _hold_open(self, session: Session, delivery: DeliverySnapshot) -> None:
        """The check of `_open_delivery` again, now that the write holds the week open: the
        person may have tapped just before it closed and waited for the database after."""
        if not store.hold_open(session=session, delivery=delivery, now=self._clock.now()):
            raise SurveyClosed("This week's pulse has closed.")

    def _redraw(self, delivery: DeliverySnapshot, message: Message) -> None:
        if delivery.channel_id is None or delivery.ts is None:
            return
        channel, ts = delivery.channel_id, delivery.ts
        self._gateway.try_send(
            "weekly_pulse.update_failed",
            lambda: self._gateway.update_message(channel=channel, ts=ts, message=message),
        )
