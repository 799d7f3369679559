"""The request desk's workflows: each runs its own short transactions and sends what follows.

Transactions never span a Slack call, so a slow Web API never holds a database lock.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot import jobs
from bot.clock import Clock
from bot.db import SessionFactory, read_session
from bot.errors import InvalidTransition, NotAllowed
from bot.kudos.rules import KudosOffer
from bot.requests import store
from bot.requests.departments import store as departments_store
from bot.requests.flows.notices import (
    CARD_RETRY_DELAY,
    NOTIFY_RETRY_DELAY,
    RequestNotices,
    notify_key,
    post_card_key,
    refresh_request_card,
)
from bot.requests.rules import (
    ACTION_ROLES,
    DESK_ACTOR,
    DepartmentSnapshot,
    MessageSource,
    RequestAction,
    RequestJob,
    RequestSnapshot,
    RequestStatus,
    Role,
    Urgency,
    is_open,
)
from bot.requests.waiting import store as waiting_store
from bot.satisfaction.flows.pulses import Pulses
from bot.service_levels.flows import ServiceLevelAlerts
from bot.slack import SlackGateway
from bot.text import escape, user_mention

logger = logging.getLogger(__name__)


class ChangeHook(Protocol):
    """What is told of a change to requests (as they were and are), in its transaction."""

    def __call__(
        self, *, session: Session, requests: Sequence[RequestSnapshot], now: datetime
    ) -> None: ...


@dataclass(frozen=True)
class FilingOutcome:
    request: RequestSnapshot
    created: bool
    card_posted: bool


class RequestDesk:
    def __init__(
        self,
        *,
        session_factory: SessionFactory,
        gateway: SlackGateway,
        clock: Clock,
        pulses: Pulses | None = None,
        job_gateway: SlackGateway | None = None,
        kudos_offer: KudosOffer | None = None,
        alerts: ServiceLevelAlerts | None = None,
        on_change: ChangeHook | None = None,
    ):
        self._sessions = session_factory
        self._gateway = gateway
        self._clock = clock
        # Resolutions schedule a satisfaction pulse in the same transaction; reopens cancel it.
        self._pulses = pulses
        # Filing schedules the service levels' reminders; the change that meets one ends it.
        self._alerts = alerts
        # Told of every change in its transaction (App Home redraws what shows it).
        self._on_change = on_change
        self.notices = RequestNotices(
            session_factory=session_factory,
            gateway=gateway,
            job_gateway=job_gateway or gateway,
            clock=clock,
            pulses=pulses,
            kudos_offer=kudos_offer,
        )

    def departments(self, *, team_id: str) -> list[DepartmentSnapshot]:
        with read_session(self._sessions) as session:
            return departments_store.list_departments(session=session, team_id=team_id)

    def file_request(
        self,
        *,
        team_id: str,
        requester_id: str,
        department_key: str,
        text: str,
        urgency: Urgency,
        idempotency_key: str,
        answers: Mapping[str, str] | None = None,
        sensitive: bool = False,
        source: MessageSource | None = None,
        filed_by_id: str | None = None,
    ) -> FilingOutcome:
        """`answers`: to the department's questions, by key, as the form sent them."""
        now = self._clock.now()
        with self._sessions.begin() as session:
            filed = store.file_request(
                session=session,
                team_id=team_id,
                requester_id=requester_id,
                department_key=department_key,
                text=text,
                urgency=urgency,
                idempotency_key=idempotency_key,
                now=now,
                answers=answers,
                sensitive=sensitive,
                source=source,
                filed_by_id=filed_by_id,
            )
            if filed.created:
                # In the filing transaction, so a crash before the card is posted loses nothing;
                # posting the card cancels it.
                jobs.enqueue(
                    session=session,
                    team_id=team_id,
                    kind=RequestJob.POST_CARD,
                    unique_key=post_card_key(filed.request.id),
                    due_at=now + CARD_RETRY_DELAY,
                    now=now,
                    payload={"request_id": filed.request.id},
                )
                if self._alerts is not None:
                    self._alerts.schedule(session, request=filed.request, now=now)
                if self._on_change is not None:
                    self._on_change(session=session, requests=(filed.request,), now=now)
        request = filed.request
        logger.info(
            "request.filed" if filed.created else "request.file_repeated",
            extra={"request_id": request.id, "team_id": team_id, "department": department_key},
        )
        if filed.created:
            return FilingOutcome(request, created=True, card_posted=self.notices.post_card(request))
        # Filed before: by a delivery of the same command, or by this one in a process that
        # died before the card was up. An earlier try may have posted it: look first.
        posted = request.card_ts is not None or self.notices.post_card(request, resumed=True)
        return FilingOutcome(request, created=False, card_posted=posted)

    def request(self, *, team_id: str, request_id: int) -> RequestSnapshot:
        with read_session(self._sessions) as session:
            return store.get_request(session=session, team_id=team_id, request_id=request_id)

    def my_open_requests(self, *, team_id: str, user_id: str) -> list[RequestSnapshot]:
        with read_session(self._sessions) as session:
            return store.list_open_requests(session=session, team_id=team_id, requester_id=user_id)

    def _applied(self, idempotency_key: str | None) -> bool:
        if idempotency_key is None:
            return False
        with read_session(self._sessions) as session:
            return store.applied_click(session=session, idempotency_key=idempotency_key) is not None

    def _shown_again(self, request: RequestSnapshot) -> RequestSnapshot:
        """A click already applied changes nothing; its card is redrawn from the newest state."""
        refresh_request_card(
            sessions=self._sessions,
            gateway=self._gateway,
            clock=self._clock,
            team_id=request.team_id,
            request_id=request.id,
        )
        return request

    def is_agent(self, department: DepartmentSnapshot, user_id: str) -> bool:
        """Listed in the department's agents, or, with no list, a member of its channel. Its
        leads act as agents too: an overdue request is put in their hands to claim."""
        if user_id in department.leads:
            return True
        if department.agents:
            return user_id in department.agents
        return user_id in self._gateway.channel_members(department.channel_id)

    def roles_for(
        self, request: RequestSnapshot, user_id: str, action: RequestAction
    ) -> frozenset[Role]:
        """The roles that matter for `action`; channel membership is looked up only when
        the action needs an agent, so a requester's cancel never depends on it."""
        roles = set()
        if user_id == DESK_ACTOR:
            return frozenset({Role.DESK})
        if user_id == request.requester_id:
            roles.add(Role.REQUESTER)
        if Role.AGENT in ACTION_ROLES[action] and self.is_agent(request.department, user_id):
            roles.add(Role.AGENT)
        return frozenset(roles)

    def act(
        self,
        *,
        team_id: str,
        request_id: int,
        actor_id: str,
        action: RequestAction,
        assignee_id: str | None = None,
        idempotency_key: str | None = None,
    ) -> RequestSnapshot:
        """Apply a lifecycle action, then update the card and tell the people concerned.

        A click with an `idempotency_key` applies once: run again (its process died after
        the change), it changes nothing and the card is redrawn; the DMs that follow a
        change are a job of their own, so they go out once either way."""
        with self._sessions.begin() as session:
            before = store.get_request(session=session, team_id=team_id, request_id=request_id)
        if self._applied(idempotency_key):
            return self._shown_again(before)
        roles = self.roles_for(before, actor_id, action)
        if (
            action is RequestAction.REASSIGN
            and Role.AGENT in roles
            and assignee_id is not None
            and not self.is_agent(before.department, assignee_id)
        ):
            raise NotAllowed(
                f"{user_mention(assignee_id)} is not one of {escape(before.department.name)}'s "
                "agents, so they could not work on it."
            )
        now = self._clock.now()
        follow_up: dict[str, Any] = {
            "action": action.value,
            "actor_id": actor_id,
            # Whoever last worked on it; never the desk itself, which closed it unanswered.
            "previous_owner": before.assignee_id
            or (before.closed_by_id if before.closed_by_id != DESK_ACTOR else None),
            "was_open": before.status is RequestStatus.OPEN,
        }
        try:
            with self._sessions.begin() as session:
                transition = store.transition_request(
                    session=session,
                    request=before,
                    actor_id=actor_id,
                    action=action,
                    roles=roles,
                    now=now,
                    assignee_id=assignee_id,
                    idempotency_key=idempotency_key,
                )
                after = transition.request
                if self._pulses is not None:
                    self._pulses.on_transition(session, request=after, action=action, now=now)
                if after.status is RequestStatus.WAITING:
                    waiting_store.schedule(session, request=after, now=now)
                elif before.status is RequestStatus.WAITING:
                    waiting_store.cancel(session, request_id=after.id, now=now)
                if self._alerts is not None:
                    self._alerts.settle(
                        session,
                        request=after,
                        now=now,
                        # A wait that ended, or a request reopened, is chased again.
                        resumed=is_open(after.status)
                        and (
                            before.status is RequestStatus.WAITING or action is RequestAction.REOPEN
                        ),
                    )
                if self._on_change is not None:
                    self._on_change(session=session, requests=(before, after), now=now)
                # The DMs below, sent again by this job if they could not all go out now.
                follow_up["event_id"] = transition.event_id
                jobs.enqueue(
                    session=session,
                    team_id=team_id,
                    kind=RequestJob.NOTIFY,
                    unique_key=notify_key(transition.event_id),
                    due_at=now + NOTIFY_RETRY_DELAY,
                    now=now,
                    payload={"request_id": after.id, **follow_up},
                )
        except (InvalidTransition, IntegrityError):
            # The same click, applied a moment ago by another delivery of it.
            if self._applied(idempotency_key):
                return self._shown_again(before)
            raise
        logger.info(
            "request.transition",
            extra={
                "request_id": after.id,
                "action": action.value,
                "from_status": before.status.value,
                "to_status": after.status.value,
            },
        )
        refresh_request_card(
            sessions=self._sessions,
            gateway=self._gateway,
            clock=self._clock,
            team_id=team_id,
            request_id=after.id,
        )
        self.notices.notify(after, follow_up)
        return after
