"""Each person's weekly pulse setting, for `/pulse`: on or off, and when their next DM comes."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from bot.calendar import Week, WeeklySchedule, zone_or_utc
from bot.clock import Clock
from bot.db import SessionFactory, read_session
from bot.people import store as people_store
from bot.people.flows import Profiles
from bot.slack import SlackGateway
from bot.slack_client import SLACK_FAILURES
from bot.weekly.rules import PulseStatus

logger = logging.getLogger(__name__)


class Preferences:
    def __init__(
        self,
        *,
        session_factory: SessionFactory,
        gateway: SlackGateway,
        clock: Clock,
        schedule: WeeklySchedule,
        anonymity_minimum: int,
    ) -> None:
        self._sessions = session_factory
        self._clock = clock
        self._schedule = schedule
        self._anonymity_minimum = anonymity_minimum
        self._profiles = Profiles(session_factory=session_factory, gateway=gateway, clock=clock)

    def status(self, *, team_id: str, user_id: str) -> PulseStatus:
        now = self._clock.now()
        with read_session(self._sessions) as session:
            known = people_store.known_person(session=session, team_id=team_id, user_id=user_id)
        try:
            timezone = self._profiles.timezone(team_id=team_id, user_id=user_id, known=known)
        except SLACK_FAILURES:
            timezone = known.timezone  # still rate limited after the client's retries
        return PulseStatus(
            known.weekly_pulse_opted_out, self.next_due(now, timezone), self._anonymity_minimum
        )

    def next_due(self, now: datetime, timezone: str | None) -> datetime:
        """The first scheduled moment after `now` in the person's own time zone."""
        week = Week.of(now.astimezone(zone_or_utc(timezone)).date())
        due = self._schedule.due_at(week, timezone)
        if due <= now:
            due = self._schedule.due_at(Week(week.monday + timedelta(days=7)), timezone)
        return due

    def set_opted_out(self, *, team_id: str, user_id: str, opted_out: bool) -> PulseStatus:
        with self._sessions.begin() as session:
            people_store.set_weekly_pulse_opt_out(
                session=session, team_id=team_id, user_id=user_id, opted_out=opted_out
            )
        logger.info("weekly_pulse.opt_out" if opted_out else "weekly_pulse.opt_in")
        return self.status(team_id=team_id, user_id=user_id)
