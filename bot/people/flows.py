"""People's Slack profiles (time zone, name, bot, deactivated), cached a day in `people`."""

from __future__ import annotations

import logging

from bot.clock import Clock
from bot.db import SessionFactory, read_session
from bot.people import store
from bot.people.rules import KnownPerson
from bot.slack import SlackGateway
from bot.slack_client import SLACK_FAILURES, is_rate_limited

logger = logging.getLogger(__name__)


class Profiles:
    def __init__(self, *, session_factory: SessionFactory, gateway: SlackGateway, clock: Clock):
        self._sessions = session_factory
        self._gateway = gateway
        self._clock = clock

    def current(self, *, team_id: str, user_id: str, known: KnownPerson) -> KnownPerson:
        """The cached profile while it is under a day old, else Slack's, cached again. When
        Slack cannot say, the cached one however old. A 429 is raised, for the caller to
        wait as Slack asks."""
        now = self._clock.now()
        if known.timezone_fresh(now):
            return known
        try:
            profile = self._gateway.user_profile(user_id)
        except SLACK_FAILURES as error:
            if is_rate_limited(error):
                raise
            logger.warning("people.profile_unavailable", exc_info=error, extra={"user": user_id})
            return known
        with self._sessions.begin() as session:
            store.store_profile(
                session=session,
                team_id=team_id,
                user_id=user_id,
                timezone=profile.timezone,
                name=profile.name,
                is_bot=profile.is_bot,
                deactivated=profile.deactivated,
                now=now,
            )
            return store.known_person(session=session, team_id=team_id, user_id=user_id)

    def timezone(self, *, team_id: str, user_id: str, known: KnownPerson) -> str | None:
        """The person's IANA time zone (None: callers use UTC)."""
        return self.current(team_id=team_id, user_id=user_id, known=known).timezone

    def lookup(self, *, team_id: str, user_id: str) -> KnownPerson:
        with read_session(self._sessions) as session:
            known = store.known_person(session=session, team_id=team_id, user_id=user_id)
        return self.current(team_id=team_id, user_id=user_id, known=known)
