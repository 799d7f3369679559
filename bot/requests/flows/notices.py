"""What follows a request's filing and changes: its card in the department's channel, and the
DMs to the people concerned. Each is posted once (`post_once`), and a job posts what could not
go out at once.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from bot import jobs
from bot.clock import Clock
from bot.db import SessionFactory, read_session
from bot.jobs import JobSnapshot, JobState
from bot.kudos.rules import KudosOffer
from bot.requests import messages, store
from bot.requests.rules import (
    REQUEST_CARD_TAG,
    REQUEST_UPDATE_TAG,
    RequestAction,
    RequestJob,
    RequestSnapshot,
)
from bot.requests.waiting import messages as waiting_messages
from bot.satisfaction.flows.pulses import Pulses
from bot.slack import MessageTag, PostedMessage, SlackGateway
from bot.slack_client import SLACK_FAILURES

logger = logging.getLogger(__name__)

# The job that posts a card the filing could not post falls due after the interactive post
# has surely finished its own retries, then retries with the runner's backoff.
CARD_RETRY_DELAY = timedelta(minutes=5)
# The DMs that follow a change are retried by their job after this, if they did not all go.
NOTIFY_RETRY_DELAY = timedelta(minutes=2)


def post_card_key(request_id: int) -> str:
    return f"{RequestJob.POST_CARD}:{request_id}"


def notify_key(event_id: int) -> str:
    return f"{RequestJob.NOTIFY}:{event_id}"


class RequestNotices:
    def __init__(
        self,
        *,
        session_factory: SessionFactory,
        gateway: SlackGateway,
        job_gateway: SlackGateway,
        clock: Clock,
        pulses: Pulses | None = None,
        kudos_offer: KudosOffer | None = None,
    ):
        self._sessions = session_factory
        self._gateway = gateway
        self._job_gateway = job_gateway
        self._clock = clock
        self._pulses = pulses
        self._kudos_offer = kudos_offer

    def post_card(self, request: RequestSnapshot, *, resumed: bool = False) -> bool:
        channel = request.department.channel_id
        try:
            posted = self._gateway.post_once(
                channel=channel,
                message=messages.build_request_card(request, now=self._clock.now()),
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
                session=session, unique_key=post_card_key(request.id), now=self._clock.now()
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
            message=messages.build_request_card(request, now=self._clock.now()),
            tag=MessageTag(REQUEST_CARD_TAG, request.id),
            resumed=True,
        )
        with self._sessions.begin() as session:
            store.record_card(
                session=session, request_id=request.id, channel_id=channel, ts=posted.ts
            )
        logger.info("request.card_posted_late", extra={"request_id": request.id})

    def notify(self, after: RequestSnapshot, follow_up: dict[str, Any]) -> None:
        """The DMs of a change, now, under their job's lease: had the click's work been slow
        enough for the job to fall due, the job sends them and this does not. Once they have
        all gone out the job is done; otherwise it sends the rest later."""
        with self._sessions.begin() as session:
            taken = jobs.take(
                session=session,
                unique_key=notify_key(int(follow_up["event_id"])),
                now=self._clock.now(),
            )
        if taken is None:
            return
        job, token = taken
        sent = self._notify(after, follow_up, gateway=self._gateway, resumed=False)
        now = self._clock.now()
        with self._sessions.begin() as session:
            if sent:
                jobs.finish(session, job, token, now, state=JobState.DONE.value, finished_at=now)
            else:
                jobs.finish(
                    session,
                    job,
                    token,
                    now,
                    state=JobState.PENDING.value,
                    due_at=now + NOTIFY_RETRY_DELAY,
                )

    def notify_later(self, job: JobSnapshot) -> None:
        """The job that sends the DMs of a change that could not all go out at once."""
        with read_session(self._sessions) as session:
            request = store.get_request(
                session=session, team_id=job.team_id, request_id=int(job.payload["request_id"])
            )
        if not self._notify(request, job.payload, gateway=self._job_gateway, resumed=True):
            raise RuntimeError("a DM about the change could not be sent")

    def _notify(
        self,
        after: RequestSnapshot,
        follow_up: dict[str, Any],
        *,
        gateway: SlackGateway,
        resumed: bool,
    ) -> bool:
        """DM the people a change concerns; True when all of it went out. Each DM is keyed by
        the change's event, so sent again it is found rather than repeated."""
        action = RequestAction(follow_up["action"])
        actor_id = str(follow_up["actor_id"])
        tag = MessageTag(REQUEST_UPDATE_TAG, int(follow_up["event_id"]))
        sent = True

        def dm(user_id: str, message: messages.Message) -> PostedMessage | None:
            nonlocal sent
            try:
                return gateway.post_once(channel=user_id, message=message, tag=tag, resumed=resumed)
            except SLACK_FAILURES:
                logger.exception("request.dm_failed", extra={"request_id": after.id})
                sent = False
                return None

        requester = after.requester_id
        if action is RequestAction.CLAIM:
            dm(requester, messages.build_claimed_dm(after))
        elif action is RequestAction.REASSIGN and after.assignee_id:
            dm(requester, messages.build_claimed_dm(after))
            if after.assignee_id != actor_id:
                dm(after.assignee_id, messages.build_assigned_dm(after, assigned_by=actor_id))
        elif action is RequestAction.UNCLAIM:
            dm(requester, messages.build_unclaimed_dm(after))
        elif action is RequestAction.RESOLVE:
            pulses = self._pulses
            hint = pulses.rating_hint if pulses is not None else None
            kudos_to = self._kudos_offer(after) if self._kudos_offer is not None else None
            message = messages.build_resolved_dm(after, rating_hint=hint, kudos_to=kudos_to)
            posted = dm(requester, message)
            if posted is not None and pulses is not None:
                pulses.record_resolution_dm(after, posted)
        elif action is RequestAction.CLOSE_UNANSWERED:
            dm(requester, waiting_messages.build_closed_unanswered_dm(after))
        elif action in (RequestAction.REOPEN, RequestAction.CANCEL):
            # Whoever last worked on it: the assignee, or the agent who resolved it unclaimed.
            previous = follow_up.get("previous_owner")
            if previous and previous != actor_id and not follow_up.get("was_open"):
                message = (
                    messages.build_reopened_dm(after)
                    if action is RequestAction.REOPEN
                    else messages.build_cancelled_dm(after)
                )
                dm(str(previous), message)
        return sent


def refresh_request_card(
    *, sessions: SessionFactory, gateway: SlackGateway, clock: Clock, team_id: str, request_id: int
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
            channel=channel, ts=ts, message=messages.build_request_card(request, now=clock.now())
        ),
        request_id=request.id,
    )
