"""Which request a thread belongs to, and the relayed copies of its messages, on the caller's
session."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.requests.rules import RequestSnapshot
from bot.requests.store import request_snapshot
from models import RelayedMessage, Request


@dataclass(frozen=True)
class Relay:
    id: int
    request_id: int
    source_channel: str
    source_ts: str
    target_channel: str
    target_ts: str | None
    created_at: datetime


def _relay(row: RelayedMessage) -> Relay:
    return Relay(
        id=row.id,
        request_id=row.request_id,
        source_channel=row.source_channel,
        source_ts=row.source_ts,
        target_channel=row.target_channel,
        target_ts=row.target_ts,
        created_at=row.created_at,
    )


def request_in_thread(
    *, session: Session, team_id: str, channel: str, thread_ts: str
) -> RequestSnapshot | None:
    """The request whose card, or whose requester's DM thread, starts this thread."""
    request = session.scalar(
        select(Request).where(
            Request.team_id == team_id,
            Request.card_channel_id == channel,
            Request.card_ts == thread_ts,
        )
    ) or session.scalar(
        select(Request).where(
            Request.team_id == team_id,
            Request.conversation_channel_id == channel,
            Request.conversation_ts == thread_ts,
        )
    )
    return request_snapshot(request) if request is not None else None


def take_relay(
    *,
    session: Session,
    team_id: str,
    request_id: int,
    source_channel: str,
    source_ts: str,
    author_id: str,
    target_channel: str,
    now: datetime,
) -> tuple[Relay, bool]:
    """The row of a message's copy, added if new; True if this call added it. Its unique
    source makes the first delivery of a message the one that relays it."""
    existing = find_relay(session=session, source_channel=source_channel, source_ts=source_ts)
    if existing is not None:
        return existing, False
    row = RelayedMessage(
        team_id=team_id,
        request_id=request_id,
        source_channel=source_channel,
        source_ts=source_ts,
        author_id=author_id,
        target_channel=target_channel,
        created_at=now,
    )
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        winner = find_relay(session=session, source_channel=source_channel, source_ts=source_ts)
        if winner is None:
            raise
        return winner, False
    return _relay(row), True


def find_relay(*, session: Session, source_channel: str, source_ts: str) -> Relay | None:
    row = session.scalar(
        select(RelayedMessage).where(
            RelayedMessage.source_channel == source_channel,
            RelayedMessage.source_ts == source_ts,
        )
    )
    return _relay(row) if row is not None else None


def record_copy(*, session: Session, relay_id: int, channel: str, ts: str) -> None:
    session.execute(
        update(RelayedMessage)
        .where(RelayedMessage.id == relay_id)
        .values(target_channel=channel, target_ts=ts)
    )


def record_conversation(*, session: Session, request_id: int, channel: str, ts: str) -> None:
    session.execute(
        update(Request)
        .where(Request.id == request_id, Request.conversation_ts.is_(None))
        .values(conversation_channel_id=channel, conversation_ts=ts)
    )
