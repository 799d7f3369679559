"""The request desk's workflows: each runs its own short transactions and sends what follows.

Transactions never span a Slack call, so a slow Web API never holds a database lock.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from bot import jobs
from bot.blockkit import INPUT_MAX_LENGTH, Message, build_notice
from bot.clock import Clock
from bot.db import SessionFactory, read_session
from bot.errors import NotAllowed
from bot.jobs import JobSnapshot
from bot.kudos.rules import KudosOffer
from bot.requests import messages, store
from bot.requests.rules import (
    ACTION_ROLE,
    REQUEST_CARD_TAG,
    DepartmentSnapshot,
    FilingKind,
    RequestAction,
    RequestJob,
    RequestSnapshot,
    RequestStatus,
    Role,
    RoutableDepartment,
    Subcommand,
    Urgency,
    decide_filing,
    parse_command,
    route_by_keywords,
)
from bot.satisfaction.flows.pulses import Pulses
from bot.slack import MessageTag, PostedMessage, SlackGateway
from bot.slack_client import SLACK_FAILURES
from bot.text import escape, user_mention

NO_DEPARTMENTS = "No departments are set up yet: an admin adds them to the departments file."


logger = logging.getLogger(__name__)

# The job that posts a card the filing could not post falls due after the interactive post
# has surely finished its own retries, then retries with the runner's backoff.
CARD_RETRY_DELAY = timedelta(minutes=5)


def _post_card_key(request_id: int) -> str:
    return f"{RequestJob.POST_CARD}:{request_id}"


@dataclass(frozen=True)
class FilingOutcome:
    request: RequestSnapshot
    created: bool
    card_posted: bool


@dataclass(frozen=True)
class CommandAnswer:
    """What `/request` answers: a message only the person sees, or a modal to open."""

    message: Message | None = None
    modal: dict[str, Any] | None = None


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
    ):
        self._sessions = session_factory
        self._gateway = gateway
        self._job_gateway = job_gateway or gateway
        self._clock = clock
        # Resolutions schedule a satisfaction pulse in the same transaction; reopens cancel it.
        self._pulses = pulses
        self._kudos_offer = kudos_offer

    def answer_command(
        self,
        *,
        team_id: str,
        user_id: str,
        text: str,
        channel_id: str | None,
        idempotency_key: str,
    ) -> CommandAnswer:
        """`/request` in every form: file at once when the department and the text are
        known, ask in a modal otherwise, or list, or explain."""
        with read_session(self._sessions) as session:
            departments = store.list_departments(session=session, team_id=team_id)
        routable = [RoutableDepartment(d.key, d.aliases, d.keywords) for d in departments]
        command = parse_command(text, routable)
        if command.subcommand is Subcommand.HELP:
            return CommandAnswer(messages.build_help(departments))
        if command.subcommand is Subcommand.MINE:
            mine = self.my_open_requests(team_id=team_id, user_id=user_id)
            return CommandAnswer(messages.build_my_requests(mine))
        if not departments:
            return CommandAnswer(build_notice(NO_DEPARTMENTS))
        keyword_route = None
        if command.department_key is None and command.text:
            keyword_route = route_by_keywords(command.text, routable)
        decision = decide_filing(command, keyword_route, modal_text_max=INPUT_MAX_LENGTH)
        if decision.kind is FilingKind.ASK_FOR_KEY:
            return CommandAnswer(messages.build_ask_for_department(departments))
        if decision.kind is FilingKind.ASK_IN_MODAL or decision.department_key is None:
            modal = messages.build_new_request_modal(
                departments,
                selected_key=decision.department_key,
                text=decision.text,
                origin_channel_id=channel_id,
            )
            return CommandAnswer(modal=modal)
        outcome = self.file_request(
            team_id=team_id,
            requester_id=user_id,
            department_key=decision.department_key,
            text=decision.text,
            urgency=Urgency.NORMAL,
            idempotency_key=idempotency_key,
        )
        confirmation = messages.build_filed_confirmation(
            outcome.request, card_posted=outcome.card_posted
        )
        return CommandAnswer(confirmation)

    def departments(self, *, team_id: str) -> list[DepartmentSnapshot]:
        with read_session(self._sessions) as session:
            return store.list_departments(session=session, team_id=team_id)

    def file_request(
        self,
        *,
        team_id: str,
        requester_id: str,
        department_key: str,
        text: str,
        urgency: Urgency,
        idempotency_key: str,
    ) -> FilingOutcome:
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
            )
            if filed.created:
                # In the filing transaction, so a crash before the card is posted loses nothing;
                # posting the card cancels it.
                jobs.enqueue(
                    session=session,
                    team_id=team_id,
                    kind=RequestJob.POST_CARD,
                    unique_key=_post_card_key(filed.request.id),
                    due_at=now + CARD_RETRY_DELAY,
                    now=now,
                    payload={"request_id": filed.request.id},
                )
        request = filed.request
        logger.info(
            "request.filed" if filed.created else "request.file_repeated",
            extra={"request_id": request.id, "team_id": team_id, "department": department_key},
        )
        if filed.created:
            return FilingOutcome(request, created=True, card_posted=self._post_card(request))
        # Filed before: by a delivery of the same command, or by this one in a process that
        # died before the card was up. An earlier try may have posted it: look first.
        posted = request.card_ts is not None or self._post_card(request, resumed=True)
        return FilingOutcome(request, created=False, card_posted=posted)

    def _post_card(self, request: RequestSnapshot, *, resumed: bool = False) -> bool:
        channel = request.department.channel_id
        try:
            posted = self._gateway.post_once(
                channel=channel,
                message=messages.build_request_card(request),
                tag=MessageTag(REQUEST_CARD_TAG, request.id),
                resumed=resumed,
            )
        except SLACK_FAILURES:
            logger.exception(
                "request.card_post_failed", extra={"request_id": request.id, "channel": channel}
            )
            return False
        with self._sessions.begin() as session:
            store.record_card(
                session=session, request_id=request.id, channel_id=channel, ts=posted.ts
            )
            jobs.cancel(
                session=session, unique_key=_post_card_key(request.id), now=self._clock.now()
            )
        return True

    def post_card_later(self, job: JobSnapshot) -> None:
        """The job that keeps trying to post a card that could not be posted at filing."""
        with self._sessions.begin() as session:
            request = store.get_request(
                session=session, team_id=job.team_id, request_id=int(job.payload["request_id"])
            )
        if request.card_ts is not None:
            return
        channel = request.department.channel_id
        # The post at filing may have reached Slack even though its answer did not.
        posted = self._job_gateway.post_once(
            channel=channel,
            message=messages.build_request_card(request),
            tag=MessageTag(REQUEST_CARD_TAG, request.id),
            resumed=True,
        )
        with self._sessions.begin() as session:
            store.record_card(
                session=session, request_id=request.id, channel_id=channel, ts=posted.ts
            )
        logger.info("request.card_posted_late", extra={"request_id": request.id})

    def my_open_requests(self, *, team_id: str, user_id: str) -> list[RequestSnapshot]:
        with read_session(self._sessions) as session:
            return store.list_open_requests(session=session, team_id=team_id, requester_id=user_id)

    def is_agent(self, department: DepartmentSnapshot, user_id: str) -> bool:
        """Listed in the department's agents, or, with no list, a member of its channel."""
        if department.agents:
            return user_id in department.agents
        return user_id in self._gateway.channel_members(department.channel_id)

    def roles_for(
        self, request: RequestSnapshot, user_id: str, action: RequestAction
    ) -> frozenset[Role]:
        """The roles that matter for `action`; channel membership is looked up only when
        the action needs an agent, so a requester's cancel never depends on it."""
        roles = set()
        if user_id == request.requester_id:
            roles.add(Role.REQUESTER)
        if ACTION_ROLE[action] is Role.AGENT and self.is_agent(request.department, user_id):
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
    ) -> RequestSnapshot:
        """Apply a lifecycle action, then update the card and tell the people concerned."""
        with self._sessions.begin() as session:
            before = store.get_request(session=session, team_id=team_id, request_id=request_id)
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
        with self._sessions.begin() as session:
            after = store.transition_request(
                session=session,
                request=before,
                actor_id=actor_id,
                action=action,
                roles=roles,
                now=now,
                assignee_id=assignee_id,
            )
            if self._pulses is not None:
                self._pulses.on_transition(session, request=after, action=action, now=now)
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
            sessions=self._sessions, gateway=self._gateway, team_id=team_id, request_id=after.id
        )
        self._notify(before=before, after=after, action=action, actor_id=actor_id)
        return after

    def _dm(
        self, user_id: str, message: messages.Message, request: RequestSnapshot
    ) -> PostedMessage | None:
        try:
            return self._gateway.post_message(channel=user_id, message=message)
        except SLACK_FAILURES:
            logger.exception("request.dm_failed", extra={"request_id": request.id})
            return None

    def _notify(
        self,
        *,
        before: RequestSnapshot,
        after: RequestSnapshot,
        action: RequestAction,
        actor_id: str,
    ) -> None:
        requester = after.requester_id
        if action is RequestAction.CLAIM:
            self._dm(requester, messages.build_claimed_dm(after), after)
        elif action is RequestAction.REASSIGN and after.assignee_id:
            self._dm(requester, messages.build_claimed_dm(after), after)
            if after.assignee_id != actor_id:
                message = messages.build_assigned_dm(after, assigned_by=actor_id)
                self._dm(after.assignee_id, message, after)
        elif action is RequestAction.UNCLAIM:
            self._dm(requester, messages.build_unclaimed_dm(after), after)
        elif action is RequestAction.RESOLVE:
            pulses = self._pulses
            hint = pulses.rating_hint if pulses is not None else None
            kudos_to = self._kudos_offer(after) if self._kudos_offer is not None else None
            message = messages.build_resolved_dm(after, rating_hint=hint, kudos_to=kudos_to)
            posted = self._dm(requester, message, after)
            if posted is not None and pulses is not None:
                pulses.record_resolution_dm(after, posted)
        elif action in (RequestAction.REOPEN, RequestAction.CANCEL):
            # Whoever last worked on it: the assignee, or the agent who resolved it unclaimed.
            previous = before.assignee_id or before.closed_by_id
            if previous and previous != actor_id and before.status is not RequestStatus.OPEN:
                message = (
                    messages.build_reopened_dm(after)
                    if action is RequestAction.REOPEN
                    else messages.build_cancelled_dm(after)
                )
                self._dm(previous, message, after)


def refresh_request_card(
    *, sessions: SessionFactory, gateway: SlackGateway, team_id: str, request_id: int
) -> None:
    """Show the newest state, not the caller's: another click may have landed since."""
    with sessions.begin() as session:
        request = store.get_request(session=session, team_id=team_id, request_id=request_id)
    if request.card_channel_id is None or request.card_ts is None:
        return
    channel, ts = request.card_channel_id, request.card_ts
    gateway.try_send(
        "request.card_update_failed",
        lambda: gateway.update_message(
            channel=channel, ts=ts, message=messages.build_request_card(request)
        ),
        request_id=request.id,
    )
