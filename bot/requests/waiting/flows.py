"""Waiting on the requester: asking them, nudging them once, and closing what they leave
unanswered, each posted once and each a step of the request's lifecycle."""

from __future__ import annotations

import logging

from bot.clock import Clock
from bot.conversations.flows import Conversations
from bot.db import SessionFactory
from bot.jobs import JobSnapshot
from bot.requests.flows.desk import RequestDesk
from bot.requests.rules import DESK_ACTOR, RequestAction, RequestSnapshot, RequestStatus, Role
from bot.requests.waiting import messages
from bot.requests.waiting.store import due_after
from bot.slack import MessageTag, SlackGateway

logger = logging.getLogger(__name__)

# Metadata event types of the question (on both sides) and the nudge, keyed by the wait.
QUESTION_TAG = "pulsedesk_waiting_question"
NUDGE_TAG = "pulsedesk_waiting_nudge"


class Waiting:
    def __init__(
        self,
        *,
        session_factory: SessionFactory,
        gateway: SlackGateway,
        clock: Clock,
        desk: RequestDesk,
        conversations: Conversations,
    ) -> None:
        self._sessions = session_factory
        self._gateway = gateway
        self._clock = clock
        self._desk = desk
        self._conversations = conversations

    def request(self, *, team_id: str, request_id: int) -> RequestSnapshot:
        return self._desk.request(team_id=team_id, request_id=request_id)

    def roles_for(
        self, request: RequestSnapshot, user_id: str, action: RequestAction
    ) -> frozenset[Role]:
        return self._desk.roles_for(request, user_id, action)

    def ask(
        self,
        *,
        team_id: str,
        request_id: int,
        agent_id: str,
        question: str,
        idempotency_key: str,
    ) -> RequestSnapshot:
        """Wait on the requester, and tell both sides what was asked. Run again (the same
        form submitted twice), the wait is made once and its messages are found, not
        posted again."""
        waiting = self._desk.act(
            team_id=team_id,
            request_id=request_id,
            actor_id=agent_id,
            action=RequestAction.WAIT,
            idempotency_key=idempotency_key,
        )
        if waiting.status is not RequestStatus.WAITING:
            return waiting
        tag = MessageTag(QUESTION_TAG, waiting.version)
        if waiting.card_channel_id is not None and waiting.card_ts is not None:
            self._gateway.post_once(
                channel=waiting.card_channel_id,
                message=messages.build_question_for_desk(
                    waiting, agent_id=agent_id, question=question
                ),
                tag=tag,
                resumed=True,
                thread_ts=waiting.card_ts,
            )
        self._conversations.tell_requester(
            waiting,
            messages.build_question_for_requester(waiting, agent_id=agent_id, question=question),
            tag,
        )
        logger.info("request.waiting", extra={"request_id": waiting.id})
        return waiting

    def _still_waiting(self, job: JobSnapshot) -> RequestSnapshot | None:
        """The request, if the wait that scheduled the job is still on."""
        request = self.request(team_id=job.team_id, request_id=int(job.payload["request_id"]))
        if request.status is not RequestStatus.WAITING:
            return None
        return request

    def nudge(self, job: JobSnapshot) -> None:
        request = self._still_waiting(job)
        if request is None or request.waiting_since is None:
            return
        closes_at = due_after(request, request.department.auto_close_after, request.waiting_since)
        self._conversations.tell_requester(
            request,
            messages.build_nudge(request, closes_at=closes_at),
            MessageTag(NUDGE_TAG, int(job.payload["version"])),
        )
        logger.info("request.nudged", extra={"request_id": request.id})

    def close_unanswered(self, job: JobSnapshot) -> None:
        request = self._still_waiting(job)
        if request is None:
            return
        self._desk.act(
            team_id=request.team_id,
            request_id=request.id,
            actor_id=DESK_ACTOR,
            action=RequestAction.CLOSE_UNANSWERED,
            idempotency_key=f"{job.unique_key}",
        )
        logger.info("request.closed_unanswered", extra={"request_id": request.id})
