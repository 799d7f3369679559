from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UTCDateTime


class Shoutout(Base):
    """One public thank-you in the kudos channel, from `/kudos` or a request's button: one
    message, one or more recipients (their `kudos` rows)."""

    __tablename__ = "kudos_shoutouts"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    giver_id: Mapped[str] = mapped_column(String(32))
    source: Mapped[str] = mapped_column(String(16))
    # Plain text but for the recipients' mentions, kept as <@U123>; escaped when shown.
    message: Mapped[str] = mapped_column(Text)
    value: Mapped[str | None] = mapped_column(String(32))
    request_id: Mapped[int | None] = mapped_column(ForeignKey("requests.id"))
    # The invocation it came from (trigger or view id), so a repeated delivery adds nothing.
    idempotency_key: Mapped[str] = mapped_column(String(128), unique=True)
    # Set while a runner posts it; a claim older than the retry delay was abandoned.
    post_claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    channel_id: Mapped[str | None] = mapped_column(String(32))
    ts: Mapped[str | None] = mapped_column(String(32))
    permalink: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    posted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Kudos(Base):
    """One person thanked by another: through a shout-out, or by the kudos emoji on a
    message they wrote. Each counts against the giver's daily limit."""

    __tablename__ = "kudos"
    __table_args__ = (
        # One kudos per giver per message reacted to: a retried or repeated reaction is the
        # same row. NULLs (kudos from shout-outs) never collide.
        UniqueConstraint("team_id", "giver_id", "reaction_channel_id", "reaction_ts"),
        Index("ix_kudos_team_id_giver_id_given_at", "team_id", "giver_id", "given_at"),
        Index("ix_kudos_team_id_given_at", "team_id", "given_at"),
        Index("ix_kudos_shoutout_id", "shoutout_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    giver_id: Mapped[str] = mapped_column(String(32))
    recipient_id: Mapped[str] = mapped_column(String(32))
    source: Mapped[str] = mapped_column(String(16))
    given_at: Mapped[datetime] = mapped_column(UTCDateTime)
    shoutout_id: Mapped[int | None] = mapped_column(ForeignKey("kudos_shoutouts.id"))
    # Credited to this department: the one whose request it thanks for.
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    # When the recipient was sent the DM that links to the shout-out.
    notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reaction_channel_id: Mapped[str | None] = mapped_column(String(32))
    reaction_ts: Mapped[str | None] = mapped_column(String(32))
    # Slack's event_ts of the latest add or remove applied: older deliveries are ignored.
    reaction_event_ts: Mapped[str | None] = mapped_column(String(32))
    # The reaction was removed: the kudos no longer counts.
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When a reaction's kudos went out in a batched line in the kudos channel.
    announced_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
