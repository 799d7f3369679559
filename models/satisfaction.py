from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UTCDateTime


class SatisfactionPulse(Base):
    """The satisfaction survey for one resolution of a request.

    A reopened and resolved again request gets a new row; the old one is cancelled if unsent.
    """

    __tablename__ = "satisfaction_pulses"
    __table_args__ = (
        Index("ix_satisfaction_pulses_request_id", "request_id"),
        Index("ix_satisfaction_pulses_team_id_requester_id", "team_id", "requester_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    request_id: Mapped[int] = mapped_column(ForeignKey("requests.id"))
    requester_id: Mapped[str] = mapped_column(String(32))
    state: Mapped[str] = mapped_column(String(16))
    skip_reason: Mapped[str | None] = mapped_column(String(32))
    resolved_at: Mapped[datetime] = mapped_column(UTCDateTime)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # When this pulse took its requester's cooldown; given back if it never reaches them.
    cooldown_reserved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class SurveyMessage(Base):
    """A DM a requester can rate by reacting to: the resolution notice or the pulse itself."""

    __tablename__ = "survey_messages"
    __table_args__ = (UniqueConstraint("channel_id", "ts"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    pulse_id: Mapped[int] = mapped_column(ForeignKey("satisfaction_pulses.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    channel_id: Mapped[str] = mapped_column(String(32))
    ts: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Rating(Base):
    """The requester's latest rating of a request: one row per request, replaced on change.

    `score` is None once a rating is withdrawn (its emoji removed); the row keeps the comment.
    """

    __tablename__ = "ratings"
    __table_args__ = (
        Index("ix_ratings_team_id_rated_at", "team_id", "rated_at"),
        # Some departments' scores over a window, read from the index alone.
        Index("ix_ratings_department_id_rated_at_score", "department_id", "rated_at", "score"),
        # A lead's latest feedback, newest first.
        Index("ix_ratings_updated_at", "updated_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    request_id: Mapped[int] = mapped_column(ForeignKey("requests.id"), unique=True)
    # Its request's department, which never changes: reports count scores by department
    # without reading the requests.
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))
    requester_id: Mapped[str] = mapped_column(String(32))
    score: Mapped[int | None] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(16))
    reaction: Mapped[str | None] = mapped_column(String(100))
    # The Events API `event_ts` of the newest reaction applied: deliveries can arrive out of
    # order, and an older add or remove must not undo a newer one.
    reaction_event_ts: Mapped[str | None] = mapped_column(String(32))
    comment: Mapped[str | None] = mapped_column(Text)
    rated_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    # When the requester asked for a lead about this rating: once per low rating.
    lead_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
