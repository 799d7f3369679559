from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint
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
    closed_by_id: Mapped[str | None] = mapped_column(String(32))
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
