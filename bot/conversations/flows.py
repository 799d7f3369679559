"""Relaying a request's conversation between the card's thread and the requester's DM thread.

Each message is relayed once: its row in `relayed_messages`, unique on the message, is taken
before the copy is posted, and the copy carries the row's tag, so a delivery run again finds the
copy instead of posting another. Edits and deletions follow the row to the copy. Messages from
bots (the copies themselves) never reach here, so nothing loops.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from bot.blockkit import Message
from bot.clock import Clock
from bot.conversations import messages, store
from bot.conversations.rules import (
    CONVERSATION_TAG,
    RELAY_TAG,
    WHERE_TO_WRITE_TAG,
    MessageChange,
    ThreadMessage,
    message_key,
    message_time,
)
from bot.db import SessionFactory, read_session
from bot.requests import store as requests_store
from bot.requests.flows.desk import RequestDesk
from bot.requests.flows.notices import refresh_request_card
from bot.requests.rules import RequestAction, RequestSnapshot, RequestStatus
from bot.service_levels.flows import ServiceLevelAlerts
from bot.slack import MessageTag, SlackGateway
from bot.slack_client import SLACK_FAILURES
from bot.text import slack_to_plain

logger = logging.getLogger(__name__)

# How far into a requester's thread of a request a private request's view reads.
REPLIES_READ = 100
# A copy taken by another delivery of the same message and not posted after this long was
# left by a process that died: it is posted (after looking for it) by whoever comes next.
ABANDONED_AFTER = timedelta(minutes=5)


class RelayInProgress(Exception):
    """Another delivery of the message is posting its copy; this one is tried again later."""


class Conversations:
    def __init__(
        self,
        *,
        session_factory: SessionFactory,
        gateway: SlackGateway,
        clock: Clock,
        desk: RequestDesk,
        alerts: ServiceLevelAlerts | None = None,
    ) -> None:
        self._sessions = session_factory
        self._gateway = gateway
        self._clock = clock
        self._desk = desk
        self._alerts = alerts

    def on_message(self, message: ThreadMessage) -> None:
        if message.change is not MessageChange.POSTED:
            self._follow(message)
            return
        request = None
        if message.is_reply and message.thread_ts is not None:
            with read_session(self._sessions) as session:
                request = store.request_in_thread(
                    session=session,
                    team_id=message.team_id,
                    channel=message.channel,
                    thread_ts=message.thread_ts,
                )
        if request is None:
            if message.in_direct_message:
                self._point_the_way(message)
            return
        if message.channel == request.card_channel_id:
            self._from_desk(request, message)
        elif message.user_id == request.requester_id:
            self._from_requester(request, message)

    def _point_the_way(self, message: ThreadMessage) -> None:
        """A message to the app that is no request's conversation reaches nobody: its
        writer is told so, once, beside it."""
        self._gateway.post_once(
            channel=message.channel,
            message=messages.build_where_to_write(),
            tag=MessageTag(WHERE_TO_WRITE_TAG, message_key(message.ts)),
            resumed=True,
            thread_ts=message.thread_ts or message.ts,
        )

    def _from_desk(self, request: RequestSnapshot, message: ThreadMessage) -> None:
        """An agent's reply in the card's thread: a first response, and news for the
        requester, unless it is an internal note."""
        if message.user_id == request.requester_id or message.is_internal:
            return
        if not self._desk.is_agent(request.department, message.user_id):
            return
        self._record_first_reply(request)
        thread_ts = self.requester_thread(request)
        self._relay(
            request,
            message,
            target=request.requester_id,
            thread_ts=thread_ts,
            build=messages.build_reply_to_requester,
        )

    def _from_requester(self, request: RequestSnapshot, message: ThreadMessage) -> None:
        """The requester's reply: the end of a wait on them, made first so that it holds
        whatever becomes of the copy, and news for the card's thread (their DM thread of the
        request exists only once the card does)."""
        if request.status is RequestStatus.WAITING:
            self._desk.act(
                team_id=request.team_id,
                request_id=request.id,
                actor_id=message.user_id,
                action=RequestAction.RESUME,
                idempotency_key=f"reply:{message.channel}:{message.ts}",
            )
        self._relay(
            request,
            message,
            target=str(request.card_channel_id),
            thread_ts=str(request.card_ts),
            build=messages.build_reply_to_desk,
        )

    def requester_replies(self, request: RequestSnapshot) -> list[tuple[datetime, str]]:
        """What the requester wrote in their thread of the request (when, plain text): for
        a private request, shown to agents only when they ask. None can be read when Slack
        will not show the thread."""
        if request.conversation_channel_id is None or request.conversation_ts is None:
            return []
        try:
            replies = self._gateway.thread_replies(
                channel=request.conversation_channel_id,
                ts=request.conversation_ts,
                limit=REPLIES_READ,
            )
        except SLACK_FAILURES:
            logger.warning("request.replies_unreadable", extra={"request_id": request.id})
            return []
        return [
            (message_time(str(reply.get("ts"))), slack_to_plain(str(reply.get("text") or "")))
            for reply in replies
            if reply.get("user") == request.requester_id and not reply.get("bot_id")
        ]

    def tell_requester(self, request: RequestSnapshot, message: Message, tag: MessageTag) -> None:
        """Post once in the requester's thread of the request, opening it if need be."""
        self._gateway.post_once(
            channel=request.requester_id,
            message=message,
            tag=tag,
            resumed=True,
            thread_ts=self.requester_thread(request),
        )

    def _record_first_reply(self, request: RequestSnapshot) -> None:
        if request.first_response_at is not None:
            return
        now = self._clock.now()
        with self._sessions.begin() as session:
            if not requests_store.record_first_response(session=session, request=request, now=now):
                return
            if self._alerts is not None:
                after = requests_store.get_request(
                    session=session, team_id=request.team_id, request_id=request.id
                )
                self._alerts.settle(session, request=after, now=now)
        logger.info("request.first_reply", extra={"request_id": request.id})
        refresh_request_card(
            sessions=self._sessions,
            gateway=self._gateway,
            clock=self._clock,
            team_id=request.team_id,
            request_id=request.id,
        )

    def requester_thread(self, request: RequestSnapshot) -> str:
        """The requester's DM thread of the request, opened when the desk first has something
        to tell them there. Its opening message is taken like a copy of the card, so it is
        posted once."""
        if request.conversation_ts is not None:
            return request.conversation_ts
        if request.card_channel_id is None or request.card_ts is None:
            raise RelayInProgress(f"{request.reference} has no card yet")
        relay, taken = self._take(
            request,
            source_channel=request.card_channel_id,
            source_ts=request.card_ts,
            author_id=request.requester_id,
            target=request.requester_id,
        )
        if relay.target_ts is not None:
            return relay.target_ts
        posted = self._gateway.post_once(
            channel=request.requester_id,
            message=messages.build_conversation_start(request),
            tag=MessageTag(CONVERSATION_TAG, request.id),
            resumed=not taken,
        )
        with self._sessions.begin() as session:
            store.record_copy(
                session=session, relay_id=relay.id, channel=posted.channel, ts=posted.ts
            )
            store.record_conversation(
                session=session, request_id=request.id, channel=posted.channel, ts=posted.ts
            )
        return posted.ts

    def _take(
        self,
        request: RequestSnapshot,
        *,
        source_channel: str,
        source_ts: str,
        author_id: str,
        target: str,
    ) -> tuple[store.Relay, bool]:
        """The copy's row, and whether this delivery added it; another delivery's is taken
        over only once it has been left for long enough."""
        now = self._clock.now()
        with self._sessions.begin() as session:
            relay, taken = store.take_relay(
                session=session,
                team_id=request.team_id,
                request_id=request.id,
                source_channel=source_channel,
                source_ts=source_ts,
                author_id=author_id,
                target_channel=target,
                now=now,
            )
        if not taken and relay.target_ts is None and now - relay.created_at < ABANDONED_AFTER:
            raise RelayInProgress(f"{source_channel}/{source_ts} is being relayed")
        return relay, taken

    def _relay(
        self,
        request: RequestSnapshot,
        message: ThreadMessage,
        *,
        target: str,
        thread_ts: str,
        build: Callable[[RequestSnapshot, ThreadMessage], Message],
    ) -> None:
        relay, taken = self._take(
            request,
            source_channel=message.channel,
            source_ts=message.ts,
            author_id=message.user_id,
            target=target,
        )
        if relay.target_ts is not None:
            return
        posted = self._gateway.post_once(
            channel=target,
            message=build(request, message),
            tag=MessageTag(RELAY_TAG, relay.id),
            # A row left by an earlier delivery: its copy may have been posted.
            resumed=not taken,
            thread_ts=thread_ts,
        )
        with self._sessions.begin() as session:
            store.record_copy(
                session=session, relay_id=relay.id, channel=posted.channel, ts=posted.ts
            )
        logger.info("conversation.relayed", extra={"request_id": request.id})

    def _follow(self, message: ThreadMessage) -> None:
        """An edit or a deletion of a relayed message, made to its copy."""
        with read_session(self._sessions) as session:
            relay = store.find_relay(
                session=session, source_channel=message.channel, source_ts=message.ts
            )
            if relay is None or relay.target_ts is None:
                return
            request = requests_store.get_request(
                session=session, team_id=message.team_id, request_id=relay.request_id
            )
        channel, ts = relay.target_channel, relay.target_ts
        # An agent's reply edited into an internal note is taken back from the requester.
        internal = message.is_internal and message.user_id != request.requester_id
        if message.change is MessageChange.DELETED or internal:
            self._gateway.delete_message(channel=channel, ts=ts)
            return
        build = (
            messages.build_reply_to_desk
            if message.user_id == request.requester_id
            else messages.build_reply_to_requester
        )
        self._gateway.update_message(channel=channel, ts=ts, message=build(request, message))
