from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UTCDateTime


class SharedChart(Base):
    """A chart the weekly report shared in Slack: a department's trend in its channel, or the
    ICSQ heatmap in an admin's DM. App Home shows the latest from there, by its file id."""

    __tablename__ = "shared_charts"
    __table_args__ = (Index("ix_shared_charts_team_id_kind_week", "team_id", "kind", "week"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # What it is and for whom, e.g. "trend:it:2026-W48" or "heatmap:U123:2026-W48".
    key: Mapped[str] = mapped_column(String(200), unique=True)
    team_id: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(16))
    week: Mapped[str] = mapped_column(String(10))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    # The admin a heatmap was sent to.
    user_id: Mapped[str | None] = mapped_column(String(32))
    channel_id: Mapped[str] = mapped_column(String(32))
    message_ts: Mapped[str] = mapped_column(String(32))
    file_id: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
