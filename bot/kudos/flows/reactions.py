"""Kudos by emoji: the kudos emoji on someone's channel message thanks its author. Refusals go to
the reactor alone; kudos given this way are gathered into one line per few minutes."""

from __future__ import annotations

import logging
from collections import OrderedDict
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from bot import jobs, slack_events
from bot.blockkit import build_notice
from bot.db import read_session
from bot.errors import NotAllowed
from bot.jobs import JobSnapshot
from bot.kudos import messages, store
from bot.kudos.flows.common import KudosFlow
from bot.kudos.rules import (
    REACTION_BATCH_TAG,
    KudosJob,
    ReactionChange,
    check_daily_limit,
)
from bot.people import store as people_store
from bot.reactions import Reaction, base_emoji
from bot.slack import MessageTag

logger = logging.getLogger(__name__)

# Kudos by reaction are gathered this long into one line in the kudos channel.
REACTION_BATCH_WINDOW = timedelta(minutes=10)


class KudosReactions(KudosFlow):
    def react(self, reaction: Reaction) -> None:
        """The kudos emoji added to or removed from someone's message in a channel. Refusals
        are told to the reactor alone; repeated deliveries change nothing."""
        if base_emoji(reaction.reaction) != self._policy.emoji:
            return
        recipient = reaction.item_user
        if not self._policy.channel_id or not recipient or reaction.channel_id.startswith("D"):
            return
        giver = reaction.user_id
        team_id = reaction.team_id
        refusal = None
        if giver == recipient:
            refusal = "Kudos are for thanking others, so a reaction to your own message gives none."
        else:
            profile = self._profiles.lookup(team_id=team_id, user_id=recipient)
            if profile.is_bot:
                refusal = f"<@{recipient}> is a bot: kudos are for the people who helped."
            elif profile.deactivated:
                refusal = f"<@{recipient}>'s account is deactivated, so they can't receive kudos."
        if refusal is not None and not reaction.added:
            return
        day = None
        if refusal is None and reaction.added:
            _, day = self._given_today(team_id, giver)
        now = self._clock.now()
        change = ReactionChange.UNCHANGED
        with self._sessions.begin() as session:
            if not slack_events.first_delivery(
                session=session, team_id=team_id, event_id=f"kudos:{reaction.event_id}", now=now
            ):
                logger.info("slack.event_repeated", extra={"event_id": reaction.event_id})
                return
            if refusal is None and reaction.added:
                assert day is not None
                people_store.lock_person(session=session, team_id=team_id, user_id=giver)
                counting = store.reaction_counts(
                    session=session,
                    team_id=team_id,
                    giver_id=giver,
                    channel_id=reaction.channel_id,
                    ts=reaction.ts,
                )
                given = store.given_between(
                    session=session, team_id=team_id, giver_id=giver, start=day[0], end=day[1]
                )
                if not counting:
                    try:
                        check_daily_limit(
                            given_today=given, asked=1, limit=self._policy.daily_limit
                        )
                    except NotAllowed as over:
                        refusal = over.message
            if refusal is None:
                change = store.apply_reaction(
                    session=session,
                    team_id=team_id,
                    giver_id=giver,
                    recipient_id=recipient,
                    channel_id=reaction.channel_id,
                    ts=reaction.ts,
                    added=reaction.added,
                    event_ts=reaction.event_ts,
                    now=now,
                )
                if change is ReactionChange.GIVEN:
                    self._enqueue_reaction_batch(session, team_id, now)
        if refusal is not None:
            logger.info("kudos.reaction_refused", extra={"event_id": reaction.event_id})
            self._gateway.try_send(
                "kudos.refusal_failed",
                lambda: self._gateway.post_ephemeral(
                    channel=reaction.channel_id, user=giver, message=build_notice(refusal)
                ),
            )
            return
        if change is not ReactionChange.UNCHANGED:
            logger.info("kudos.reaction", extra={"change": change.value})

    def _enqueue_reaction_batch(self, session: Session, team_id: str, now: datetime) -> None:
        window = int(REACTION_BATCH_WINDOW.total_seconds())
        bucket = int(now.timestamp()) // window
        jobs.enqueue(
            session=session,
            team_id=team_id,
            kind=KudosJob.REACTION_BATCH,
            unique_key=f"{KudosJob.REACTION_BATCH}:{team_id}:{bucket}",
            due_at=datetime.fromtimestamp((bucket + 1) * window, UTC),
            now=now,
        )

    def post_reaction_batch(self, job: JobSnapshot) -> None:
        """One line in the kudos channel for the kudos by reaction not announced yet."""
        channel = self._policy.channel_id
        if not channel:
            return
        now = self._clock.now()
        with read_session(self._sessions) as session:
            given = store.unannounced_reactions(session=session, team_id=job.team_id, until=now)
        if not given:
            return
        grouped: OrderedDict[tuple[str, str, str], int] = OrderedDict()
        for item in given:
            key = (item.recipient_id, item.channel_id, item.ts)
            grouped[key] = grouped.get(key, 0) + 1
        groups = []
        for index, ((recipient, message_channel, ts), givers) in enumerate(grouped.items()):
            named = index >= messages.MENTIONS_MAX and index < messages.BATCH_LINES_MAX
            name = (
                self._job_profiles.lookup(team_id=job.team_id, user_id=recipient).display_name
                if named
                else None
            )
            link = (
                self._job_gateway.permalink(channel=message_channel, ts=ts)
                if index < messages.BATCH_LINES_MAX
                else None
            )
            groups.append(messages.ReactionGroup(recipient, name, message_channel, link, givers))
        self._job_gateway.post_once(
            channel=channel,
            message=messages.build_reaction_batch(groups, emoji=self._policy.emoji),
            tag=MessageTag(REACTION_BATCH_TAG, job.id),
            # A try that failed or whose runner died may have reached Slack.
            resumed=job.attempts > 0,
        )
        with self._sessions.begin() as session:
            store.mark_announced(session=session, kudos_ids=[item.id for item in given], now=now)
        logger.info("kudos.reactions_announced", extra={"kudos": len(given)})
