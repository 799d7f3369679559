from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, String, UniqueConstraint, false, true
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UTCDateTime


class Department(Base):
    """A serving team, upserted from the departments file at start."""

    __tablename__ = "departments"
    __table_args__ = (UniqueConstraint("team_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    key: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    channel_id: Mapped[str] = mapped_column(String(32))
    keywords: Mapped[list[str]] = mapped_column(JSON, default=list)
    aliases: Mapped[list[str]] = mapped_column(JSON, default=list)
    agents: Mapped[list[str]] = mapped_column(JSON, default=list)
    leads: Mapped[list[str]] = mapped_column(JSON, default=list)
    # The working hours from the file's [departments.calendar], or None: every minute counts.
    calendar: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    # The targets from the file's `sla`, or None: the department promises no times.
    sla: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    # The questions of its form, from the file's [[departments.fields]]; None before 0012.
    fields: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON, nullable=True)
    # How long a request waiting on its requester waits before a nudge (`stale_after`) and
    # before it is closed (`auto_close_after`), as the file gives them; None: never.
    stale_after: Mapped[str | None] = mapped_column(String(16), nullable=True)
    auto_close_after: Mapped[str | None] = mapped_column(String(16), nullable=True)
    # Its requests show their text only to its agents (HR, payroll).
    private: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # A reaction that files a message with it, from the file's `request_emoji`.
    request_emoji: Mapped[str | None] = mapped_column(String(100), nullable=True)
    # Its channel gets the weekly department report (`weekly_report` in the file).
    weekly_report: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
