from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UTCDateTime


class WeeklyRound(Base):
    """One week's pulse in one workspace."""

    __tablename__ = "weekly_rounds"
    __table_args__ = (UniqueConstraint("team_id", "week"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    week: Mapped[str] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class WeeklyDelivery(Base):
    """That a person is asked this week, and which of their questions they answered. Sending
    is a `weekly.deliver` job, which carries the attempts and the lease.

    Never what they answered: answers live in `weekly_answers` with nothing that leads back
    here. Answering does not touch any timestamp, so times cannot pair a delivery with an
    answer either.
    """

    __tablename__ = "weekly_deliveries"
    __table_args__ = (
        UniqueConstraint("round_id", "user_id"),
        Index("ix_weekly_deliveries_state_due_at", "state", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("weekly_rounds.id"))
    team_id: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[str] = mapped_column(String(32))
    state: Mapped[str] = mapped_column(String(16))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    questions: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    answered: Mapped[list[int]] = mapped_column(JSON, default=list)
    channel_id: Mapped[str | None] = mapped_column(String(32))
    ts: Mapped[str | None] = mapped_column(String(32))


class WeeklyAnswer(Base):
    """One anonymous answer: no person, no delivery, no time finer than the week. Answers
    arrive here from `weekly_pending_answers` in shuffled batches, in transactions of their
    own; the id is random and the table has no row order of its own (WITHOUT ROWID on
    SQLite), so neither order nor transaction ids tell who answered when."""

    __tablename__ = "weekly_answers"
    __table_args__ = (
        Index("ix_weekly_answers_team_id_week", "team_id", "week"),
        # Every column a report counts, so that it counts a window's answers from the index.
        Index(
            "ix_weekly_answers_results", "week", "team_id", "department_id", "kind", "area", "score"
        ),
        {"sqlite_with_rowid": False},
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    week: Mapped[str] = mapped_column(String(8))
    # None: about internal service in general.
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    kind: Mapped[str] = mapped_column(String(16))
    area: Mapped[str | None] = mapped_column(String(32))
    score: Mapped[int] = mapped_column(Integer)


class WeeklyComment(Base):
    """An anonymous comment, kept like an answer: no person, no delivery, no time."""

    __tablename__ = "weekly_comments"
    __table_args__ = (
        Index("ix_weekly_comments_team_id_week", "team_id", "week"),
        {"sqlite_with_rowid": False},
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    week: Mapped[str] = mapped_column(String(8))
    # None: about internal service in general.
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    text: Mapped[str] = mapped_column(Text)
    # Who wrote it, sealed with PULSE_REPLY_KEY (bot/sealing.py) when they let the team reply;
    # without the key it leads to no one.
    reply_token: Mapped[str | None] = mapped_column(Text)


class WeeklyPendingAnswer(Base):
    """An answer on its way to `weekly_answers`: written with the delivery's `answered` mark,
    and released (moved, shuffled, without the delivery) once enough have come in for the
    week, and in any case when the week's answers close. Nothing is reported from here."""

    __tablename__ = "weekly_pending_answers"
    __table_args__ = (
        Index("ix_weekly_pending_answers_team_id_week", "team_id", "week"),
        {"sqlite_with_rowid": False},
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    week: Mapped[str] = mapped_column(String(8))
    delivery_id: Mapped[int] = mapped_column(ForeignKey("weekly_deliveries.id"))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    kind: Mapped[str] = mapped_column(String(16))
    area: Mapped[str | None] = mapped_column(String(32))
    score: Mapped[int] = mapped_column(Integer)


class WeeklyPendingComment(Base):
    """A comment on its way to `weekly_comments`: one per person and topic (a second replaces
    the first), released when the week's answers close, and only if its writer answered
    about that topic."""

    __tablename__ = "weekly_pending_comments"
    __table_args__ = (
        UniqueConstraint("delivery_id", "topic"),
        Index("ix_weekly_pending_comments_team_id_week", "team_id", "week"),
        {"sqlite_with_rowid": False},
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    week: Mapped[str] = mapped_column(String(8))
    delivery_id: Mapped[int] = mapped_column(ForeignKey("weekly_deliveries.id"))
    # The department's id, or "general": one comment per person per topic.
    topic: Mapped[str] = mapped_column(String(32))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    text: Mapped[str] = mapped_column(Text)
    # Sealed like the released comment's; kept with it when it is released.
    reply_token: Mapped[str | None] = mapped_column(Text)


class WeeklySharedUpdate(Base):
    """What a department's lead says it is doing about its pulse results ("Share what we're
    doing"). Shown once, in the next round's DMs to the people asked about the department:
    `shown_week` is that round's week, set when the round starts."""

    __tablename__ = "weekly_shared_updates"
    __table_args__ = (
        UniqueConstraint("team_id", "idempotency_key"),
        Index("ix_weekly_shared_updates_team_id_shown_week", "team_id", "shown_week"),
        Index("ix_weekly_shared_updates_department_id_created_at", "department_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))
    text: Mapped[str] = mapped_column(Text)
    author_id: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The form's view id: a submission delivered twice is shared once.
    idempotency_key: Mapped[str] = mapped_column(String(64))
    # The released result it answers, as it was shown: the week, which figure, its value
    # and how many answered. None when no figure of that week met the anonymity minimum.
    result_week: Mapped[str | None] = mapped_column(String(8))
    result_metric: Mapped[str | None] = mapped_column(String(32))
    result_score: Mapped[float | None] = mapped_column(Float)
    result_responses: Mapped[int | None] = mapped_column(Integer)
    shown_week: Mapped[str | None] = mapped_column(String(8))
