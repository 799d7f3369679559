"""What every kudos workflow is built from: the policy, both gateways, people's cached
profiles, and the giver's day."""

from __future__ import annotations

from datetime import datetime

from bot.calendar import local_day
from bot.clock import Clock
from bot.db import SessionFactory, read_session
from bot.errors import NotAllowed
from bot.kudos import store
from bot.kudos.rules import KUDOS_OFF, KudosPolicy
from bot.people.flows import Profiles
from bot.slack import SlackGateway


class KudosFlow:
    def __init__(
        self,
        *,
        session_factory: SessionFactory,
        gateway: SlackGateway,
        job_gateway: SlackGateway,
        clock: Clock,
        policy: KudosPolicy,
    ) -> None:
        self._sessions = session_factory
        self._gateway = gateway
        # Scheduled work: paced, and a 429 goes back to the job runner.
        self._job_gateway = job_gateway
        self._clock = clock
        self._policy = policy
        self._profiles = Profiles(session_factory=session_factory, gateway=gateway, clock=clock)
        self._job_profiles = Profiles(
            session_factory=session_factory, gateway=job_gateway, clock=clock
        )

    @property
    def policy(self) -> KudosPolicy:
        return self._policy

    def _channel(self) -> str:
        if not self._policy.channel_id:
            raise NotAllowed(KUDOS_OFF)
        return self._policy.channel_id

    def _given_today(self, team_id: str, giver_id: str) -> tuple[int, tuple[datetime, datetime]]:
        """Kudos the giver gave today, their own calendar day, and that day as a UTC
        [start, end)."""
        giver = self._profiles.lookup(team_id=team_id, user_id=giver_id)
        day = local_day(self._clock.now(), giver.timezone)
        with read_session(self._sessions) as session:
            given = store.given_between(
                session=session, team_id=team_id, giver_id=giver_id, start=day[0], end=day[1]
            )
        return given, day
