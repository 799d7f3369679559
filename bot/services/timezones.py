"""People's time zones from their Slack profiles, cached a day in `people`."""

from __future__ import annotations

import logging

from bot.clock import Clock
from bot.db import SessionFactory
from bot.jobs import is_rate_limited
from bot.services import people
from bot.slack import SLACK_FAILURES, SlackGateway

logger = logging.getLogger(__name__)


class TimeZones:
    def __init__(self, *, session_factory: SessionFactory, gateway: SlackGateway, clock: Clock):
        self._sessions = session_factory
        self._gateway = gateway
        self._clock = clock

    def current(self, *, team_id: str, user_id: str, known: people.KnownPerson) -> str | None:
        """The cached zone while it is under a day old, else Slack's, cached again. When
        Slack cannot say, the cached zone however old (None: callers use UTC). A 429 is
        raised, for the caller to wait as Slack asks."""
        now = self._clock.now()
        if known.timezone_fresh(now):
            return known.timezone
        try:
            timezone = self._gateway.user_timezone(user_id)
        except SLACK_FAILURES as error:
            if is_rate_limited(error):
                raise
            logger.warning("people.timezone_unavailable", exc_info=error, extra={"user": user_id})
            return known.timezone
        with self._sessions.begin() as session:
            people.store_timezone(
                session=session, team_id=team_id, user_id=user_id, timezone=timezone, now=now
            )
        return timezone
