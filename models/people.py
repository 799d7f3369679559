from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UTCDateTime


class Person(Base):
    """What the bot keeps about a Slack user: their profile as Slack last told it (cached a
    day), when they were last surveyed (the row a cooldown is reserved on), and the row a
    giver's daily kudos are counted under."""

    __tablename__ = "people"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    timezone: Mapped[str | None] = mapped_column(String(64))
    # When the profile (time zone, name, bot, deactivated) was last read from Slack.
    timezone_fetched_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    display_name: Mapped[str | None] = mapped_column(String(255))
    is_bot: Mapped[bool] = mapped_column(Boolean, default=False)
    deactivated: Mapped[bool] = mapped_column(Boolean, default=False)
    last_satisfaction_pulse_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    weekly_pulse_opted_out: Mapped[bool] = mapped_column(Boolean, default=False)
    # When they last opened the app's Home tab: only those who look at it have it kept
    # up to date as what it shows changes.
    home_opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The page of departments a lead or an admin last turned to on Home, which its redraws keep.
    home_page: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
