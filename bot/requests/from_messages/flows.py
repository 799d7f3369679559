"""Requests from any message. The shortcut opens the request form with the message (and its
thread) in it; a request emoji files the message for its author at once, once per message
(its idempotency key is the message), and says so in the message's thread."""

from __future__ import annotations

import logging
from typing import Any

from bot.blockkit import INPUT_MAX_LENGTH, build_notice
from bot.clock import Clock
from bot.db import SessionFactory, read_session
from bot.forms import messages as form_messages
from bot.forms.rules import FormSource
from bot.people import store as people_store
from bot.people.flows import Profiles
from bot.reactions import Reaction, base_emoji
from bot.requests.flows.desk import FilingOutcome, RequestDesk
from bot.requests.from_messages import messages
from bot.requests.from_messages.rules import (
    REPLIES_COPIED,
    Reply,
    description,
    emoji_department,
    is_request_emoji,
    suggested_department,
)
from bot.requests.rules import MessageSource, Urgency
from bot.slack import MessageTag, SlackGateway
from bot.text import clean_input, slack_to_plain, truncate

logger = logging.getLogger(__name__)

# Metadata event types: the reply in the message's thread and the DM to its author, by request.
FILED_REPLY_TAG = "pulsedesk_filed_from_message"
FILED_FOR_YOU_TAG = "pulsedesk_filed_for_you"


def _by_a_person(message: dict[str, Any] | None) -> bool:
    return bool(message and message.get("user") and not message.get("bot_id"))


def _plain(message: dict[str, Any]) -> str:
    return slack_to_plain(clean_input(str(message.get("text") or "")))


class MessageRequests:
    def __init__(
        self,
        *,
        session_factory: SessionFactory,
        gateway: SlackGateway,
        clock: Clock,
        desk: RequestDesk,
        workspace_emoji: str,
    ) -> None:
        self._sessions = session_factory
        self._gateway = gateway
        self._desk = desk
        self._workspace_emoji = workspace_emoji
        self._profiles = Profiles(session_factory=session_factory, gateway=gateway, clock=clock)

    def _name(self, team_id: str, user_id: str) -> str:
        with read_session(self._sessions) as session:
            known = people_store.known_person(session=session, team_id=team_id, user_id=user_id)
        person = self._profiles.current(team_id=team_id, user_id=user_id, known=known)
        return person.display_name or user_id

    def _description(self, team_id: str, message: dict[str, Any], thread: list[Any]) -> str:
        replies = [
            Reply(self._name(team_id, str(reply["user"])), _plain(reply))
            for reply in thread
            if _by_a_person(reply)
        ]
        return description(_plain(message), replies[:REPLIES_COPIED])

    def _read(self, channel: str, ts: str) -> tuple[dict[str, Any] | None, list[Any]]:
        return self._gateway.message_and_replies(channel=channel, ts=ts, limit=REPLIES_COPIED)

    def form(
        self, *, team_id: str, user_id: str, channel_id: str, message: dict[str, Any]
    ) -> dict[str, Any]:
        """The request form for a message, from its shortcut: its text and thread as the
        description, the department its channel or keywords suggest, and, when someone
        else wrote it, the choice of who is asking."""
        ts = str(message.get("ts") or "")
        thread: list[Any] = []
        if message.get("reply_count"):
            _, thread = self._read(channel_id, ts)
        text = self._description(team_id, message, thread)
        departments = self._desk.departments(team_id=team_id)
        author = str(message.get("user") or "")
        source = None
        if _by_a_person(message) and author != user_id:
            source = FormSource(channel_id, ts, author, self._name(team_id, author))
        return form_messages.build_new_request_modal(
            departments,
            selected_key=suggested_department(departments, channel_id=channel_id, text=text),
            text=truncate(text, INPUT_MAX_LENGTH),
            origin_channel_id=channel_id,
            source=source,
        )

    def file_from_form(
        self,
        *,
        filer_id: str,
        source: FormSource | None,
        for_author: bool,
        **filing: Any,
    ) -> FilingOutcome:
        """File what the form says; from a message, with a link to it, and for its author
        when the person filing chose so (the author is then told, once)."""
        if source is None:
            return self._desk.file_request(requester_id=filer_id, **filing)
        requester = source.author_id if for_author else filer_id
        outcome = self._desk.file_request(
            requester_id=requester,
            source=self._source(source.channel_id, source.ts),
            filed_by_id=filer_id if requester != filer_id else None,
            **filing,
        )
        if requester != filer_id:
            self._tell_author(outcome, filed_by=filer_id)
        return outcome

    def _source(self, channel: str, ts: str) -> MessageSource:
        return MessageSource(channel, ts, self._gateway.permalink(channel=channel, ts=ts))

    def _tell_author(self, outcome: FilingOutcome, *, filed_by: str) -> None:
        request = outcome.request
        self._gateway.try_send(
            "request.filed_for_you_failed",
            lambda: self._gateway.post_once(
                channel=request.requester_id,
                message=messages.build_filed_for_you(request, filed_by=filed_by),
                tag=MessageTag(FILED_FOR_YOU_TAG, request.id),
                resumed=not outcome.created,
            ),
            request_id=request.id,
        )

    def react(self, reaction: Reaction) -> None:
        """A request emoji on a message: filed for its author, once per message."""
        if not reaction.added:
            return
        emoji = base_emoji(reaction.reaction)
        departments = self._desk.departments(team_id=reaction.team_id)
        if not is_request_emoji(departments, emoji, workspace_emoji=self._workspace_emoji):
            return
        message, thread = self._read(reaction.channel_id, reaction.ts)
        if message is None:
            self._tell_reactor(reaction, messages.MESSAGE_GONE)
            return
        if not _by_a_person(message):
            self._tell_reactor(reaction, messages.NOT_A_PERSONS_MESSAGE)
            return
        text = self._description(reaction.team_id, message, thread)
        department = emoji_department(departments, emoji, channel_id=reaction.channel_id, text=text)
        if department is None:
            self._tell_reactor(reaction, messages.NO_DEPARTMENT)
            return
        author = str(message["user"])
        outcome = self._desk.file_request(
            team_id=reaction.team_id,
            requester_id=author,
            department_key=department,
            text=text,
            urgency=Urgency.NORMAL,
            # However often and by whomever it is reacted to, a message is filed once.
            idempotency_key=f"message:{reaction.channel_id}:{reaction.ts}",
            source=self._source(reaction.channel_id, reaction.ts),
            filed_by_id=reaction.user_id if reaction.user_id != author else None,
        )
        request = outcome.request
        self._gateway.post_once(
            channel=reaction.channel_id,
            message=messages.build_filed_reply(request),
            tag=MessageTag(FILED_REPLY_TAG, request.id),
            resumed=not outcome.created,
            thread_ts=str(message.get("thread_ts") or reaction.ts),
        )
        if reaction.user_id != author:
            self._tell_author(outcome, filed_by=reaction.user_id)
        logger.info(
            "request.filed_from_message",
            extra={"request_id": request.id, "newly_filed": outcome.created},
        )

    def _tell_reactor(self, reaction: Reaction, text: str) -> None:
        self._gateway.try_send(
            "request.reaction_notice_failed",
            lambda: self._gateway.post_ephemeral(
                channel=reaction.channel_id, user=reaction.user_id, message=build_notice(text)
            ),
        )
