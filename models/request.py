from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, UTCDateTime
from models.department import Department

if TYPE_CHECKING:
    from models.satisfaction import Rating


class Request(Base):
    """One internal request. `version` grows on every transition so updates can compare-and-set."""

    __tablename__ = "requests"
    __table_args__ = (
        UniqueConstraint("team_id", "idempotency_key"),
        Index("ix_requests_team_id_requester_id_status", "team_id", "requester_id", "status"),
        Index("ix_requests_department_id_created_at", "department_id", "created_at"),
        Index("ix_requests_team_id_resolved_at", "team_id", "resolved_at"),
        # How many requests some departments resolved in a window, read from the index alone.
        Index("ix_requests_department_id_resolved_at", "department_id", "resolved_at"),
        # Reports over every workspace read a window of filings and of resolutions.
        Index("ix_requests_created_at", "created_at"),
        Index("ix_requests_resolved_at", "resolved_at"),
        # The open requests (few, however many are closed): a department's queue and overdue
        # count, and the overdue counts of every department.
        Index("ix_requests_department_id_status", "department_id", "status"),
        Index("ix_requests_status", "status"),
        # The open requests an agent holds, on their Home.
        Index("ix_requests_team_id_assignee_id_status", "team_id", "assignee_id", "status"),
        # A reply in a card's thread, or in a requester's DM thread, finds its request.
        Index("ix_requests_card_channel_id_card_ts", "card_channel_id", "card_ts"),
        Index(
            "ix_requests_conversation_channel_id_conversation_ts",
            "conversation_channel_id",
            "conversation_ts",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))
    requester_id: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text)
    urgency: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    assignee_id: Mapped[str | None] = mapped_column(String(32))
    version: Mapped[int] = mapped_column(Integer, default=1)
    idempotency_key: Mapped[str] = mapped_column(String(255))
    card_channel_id: Mapped[str | None] = mapped_column(String(32))
    card_ts: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    first_response_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When the department's service levels promised it, fixed when it was filed.
    first_response_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolution_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # How long the first response and the resolution took, in calendar time and in the
    # department's working time (less the waits on the requester), worked out when each came:
    # reports read them instead of working them out again for every request.
    first_response_seconds: Mapped[float | None] = mapped_column(Float)
    first_response_business_seconds: Mapped[float | None] = mapped_column(Float)
    resolution_seconds: Mapped[float | None] = mapped_column(Float)
    resolution_business_seconds: Mapped[float | None] = mapped_column(Float)
    closed_by_id: Mapped[str | None] = mapped_column(String(32))
    # Filed from a Slack message: where it is, a link to it, and who filed it when that is not
    # the requester (its author).
    source_channel_id: Mapped[str | None] = mapped_column(String(32))
    source_ts: Mapped[str | None] = mapped_column(String(32))
    source_permalink: Mapped[str | None] = mapped_column(String(500))
    filed_by_id: Mapped[str | None] = mapped_column(String(32))
    # Its text and answers are shown only to its requester and its department's agents.
    private: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Since when it waits on its requester (the service levels' clock stands still), and the
    # working time all its waits have taken.
    waiting_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    paused_seconds: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # The requester's side of the conversation: a message in the app's DM with them, in
    # whose thread the desk's replies arrive and theirs are read.
    conversation_channel_id: Mapped[str | None] = mapped_column(String(32))
    conversation_ts: Mapped[str | None] = mapped_column(String(32))
    # The answers to its department's questions, each with the label and type it was asked
    # with, so that a question later renamed or removed still reads as it was asked.
    answers: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON, nullable=True)

    department: Mapped[Department] = relationship(lazy="joined")
    # Shown on the card as the requester's score; the comment stays with leads and admins.
    rating: Mapped[Rating | None] = relationship(lazy="joined", viewonly=True)

    @property
    def reference(self) -> str:
        return f"REQ-{self.id}"


class RequestEvent(Base):
    """Append-only audit of every lifecycle transition."""

    __tablename__ = "request_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    request_id: Mapped[int] = mapped_column(ForeignKey("requests.id"), index=True)
    actor_id: Mapped[str] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(16))
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    assignee_id: Mapped[str | None] = mapped_column(String(32))
    # The click that made it (its trigger id): a click run again applies once.
    idempotency_key: Mapped[str | None] = mapped_column(String(255), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class RelayedMessage(Base):
    """A message of a request's conversation and its copy on the other side (the card's thread,
    or the requester's DM thread). Unique on its source: each message is relayed once, and its
    edits and deletion find the copy."""

    __tablename__ = "relayed_messages"
    __table_args__ = (UniqueConstraint("source_channel", "source_ts"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    request_id: Mapped[int] = mapped_column(ForeignKey("requests.id"), index=True)
    source_channel: Mapped[str] = mapped_column(String(32))
    source_ts: Mapped[str] = mapped_column(String(32))
    author_id: Mapped[str] = mapped_column(String(32))
    target_channel: Mapped[str] = mapped_column(String(32))
    # Set once the copy is posted.
    target_ts: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
