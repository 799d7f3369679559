"""Kudos: thanking people in public for the help they gave, from `/kudos`, from a resolved
request's button, or with the kudos emoji on their message; and the weekly digest.

A shout-out is saved, with a job that posts it, in one transaction before anything is sent:
the interactive path posts it at once and cancels the job, and when Slack fails or the
process dies the job posts it later. Reactions are batched into one line per few minutes.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from bot import jobs
from bot.blocks import kudos as blocks
from bot.blocks.requests import build_notice
from bot.clock import Clock
from bot.db import SessionFactory, read_session
from bot.domain.kudos import (
    GivenKudos,
    KudosDraft,
    KudosSource,
    ShoutoutSnapshot,
    Tally,
    check_daily_limit,
    check_draft,
    local_day,
    local_month,
    per_hundred,
)
from bot.domain.satisfaction import base_emoji, zone_or_utc
from bot.domain.snapshots import RequestSnapshot
from bot.domain.weekly import Week, WeeklySchedule
from bot.errors import NotAllowed
from bot.jobs import JobSnapshot, RunLater
from bot.services import events, kudos, people
from bot.services import requests as request_service
from bot.services.profiles import Profiles
from bot.services.satisfaction import Reaction
from bot.slack import SLACK_FAILURES, SlackGateway

logger = logging.getLogger(__name__)

# A shout-out whose interactive post did not finish is posted by its job after this; a
# claim to post it older than this was abandoned.
ANNOUNCE_RETRY_DELAY = timedelta(minutes=2)
# Kudos by reaction are gathered this long into one line in the kudos channel.
REACTION_BATCH_WINDOW = timedelta(minutes=10)
RECENT_SHOWN = 5
KUDOS_OFF = (
    "Kudos are not set up in this workspace yet: an admin sets KUDOS_CHANNEL to the channel "
    "where shout-outs go."
)


@dataclass(frozen=True)
class KudosPolicy:
    # None: kudos are not set up (KUDOS_CHANNEL unset).
    channel_id: str | None
    emoji: str
    daily_limit: int
    digest_schedule: WeeklySchedule
    digest_timezone: str
    values: tuple[str, ...] = ()


@dataclass(frozen=True)
class GiveOutcome:
    shoutout: ShoutoutSnapshot
    channel_id: str
    left: int
    limit: int
    # False: saved, and its job will post it shortly.
    posted: bool


@dataclass(frozen=True)
class KudosStatus:
    left: int
    limit: int
    resets_at: datetime
    recent: list[GivenKudos]


@dataclass(frozen=True)
class KudosTop:
    month: str
    tally: Tally
    departments: list[blocks.DepartmentKudos]


@dataclass(frozen=True)
class RequestKudosForm:
    request: RequestSnapshot
    recipient_id: str
    recipient_name: str


def _resolver(request: RequestSnapshot) -> str | None:
    """Whom a request's thank-you goes to: who resolved it, unless that was the requester."""
    resolver = request.closed_by_id or request.assignee_id
    return resolver if resolver and resolver != request.requester_id else None


class Recognition:
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

    # -- giving -------------------------------------------------------------------------------
    def give(
        self, *, team_id: str, giver_id: str, draft: KudosDraft, idempotency_key: str
    ) -> GiveOutcome:
        """`/kudos @alex @sam what for #value`."""
        self._channel()
        check_draft(draft, giver_id=giver_id)
        return self._give(
            team_id=team_id,
            giver_id=giver_id,
            recipients=draft.recipients,
            message=draft.message,
            value=draft.value,
            source=KudosSource.COMMAND,
            idempotency_key=idempotency_key,
        )

    def _check_recipients(self, team_id: str, recipients: tuple[str, ...]) -> None:
        for recipient in recipients:
            profile = self._profiles.lookup(team_id=team_id, user_id=recipient)
            if profile.is_bot:
                raise NotAllowed(f"<@{recipient}> is a bot: kudos are for the people who helped.")
            if profile.deactivated:
                raise NotAllowed(
                    f"<@{recipient}>'s account is deactivated, so they can't receive kudos."
                )

    def _given_today(self, team_id: str, giver_id: str) -> tuple[int, tuple[datetime, datetime]]:
        giver = self._profiles.lookup(team_id=team_id, user_id=giver_id)
        day = local_day(self._clock.now(), giver.timezone)
        with read_session(self._sessions) as session:
            given = kudos.given_between(
                session=session, team_id=team_id, giver_id=giver_id, start=day[0], end=day[1]
            )
        return given, day

    def _give(
        self,
        *,
        team_id: str,
        giver_id: str,
        recipients: tuple[str, ...],
        message: str,
        value: str | None,
        source: KudosSource,
        idempotency_key: str,
        request: RequestSnapshot | None = None,
    ) -> GiveOutcome:
        channel = self._channel()
        limit = self._policy.daily_limit
        with read_session(self._sessions) as session:
            repeated = kudos.shoutout_for_key(session=session, idempotency_key=idempotency_key)
        if repeated is not None:
            given, _ = self._given_today(team_id, giver_id)
            return GiveOutcome(repeated, channel, max(limit - given, 0), limit, repeated.posted)
        self._check_recipients(team_id, recipients)
        _, (start, end) = self._given_today(team_id, giver_id)
        now = self._clock.now()
        with self._sessions.begin() as session:
            people.lock_person(session=session, team_id=team_id, user_id=giver_id)
            given = kudos.given_between(
                session=session, team_id=team_id, giver_id=giver_id, start=start, end=end
            )
            check_daily_limit(given_today=given, asked=len(recipients), limit=limit)
            shoutout = kudos.record_shoutout(
                session=session,
                team_id=team_id,
                giver_id=giver_id,
                source=source,
                recipients=recipients,
                message=message,
                value=value,
                idempotency_key=idempotency_key,
                now=now,
                request_id=request.id if request else None,
                department_id=request.department.id if request else None,
            )
            # In the same transaction: if the post below never happens, this job does it.
            jobs.enqueue(
                session=session,
                team_id=team_id,
                kind=kudos.ANNOUNCE,
                unique_key=_announce_key(shoutout.id),
                due_at=now + ANNOUNCE_RETRY_DELAY,
                now=now,
                payload={"shoutout_id": shoutout.id},
            )
        logger.info(
            "kudos.given",
            extra={"shoutout_id": shoutout.id, "recipients": len(recipients), "source": source},
        )
        posted = False
        try:
            posted = self._announce(shoutout.id, self._gateway)
        except SLACK_FAILURES:
            logger.exception("kudos.post_failed", extra={"shoutout_id": shoutout.id})
        if posted:
            with self._sessions.begin() as session:
                jobs.cancel(session=session, unique_key=_announce_key(shoutout.id), now=now)
        with read_session(self._sessions) as session:
            current = kudos.get_shoutout(session=session, shoutout_id=shoutout.id)
        # Counted afresh: a repeated delivery handled at the same moment may have found this
        # shout-out instead of adding its own.
        given_now, _ = self._given_today(team_id, giver_id)
        return GiveOutcome(current, channel, max(limit - given_now, 0), limit, current.posted)

    def _announce(self, shoutout_id: int, gateway: SlackGateway) -> bool:
        """Post the shout-out if it is not up yet, then DM each recipient not told yet.
        True once all is done; False while another runner is posting it."""
        channel = self._channel()
        now = self._clock.now()
        with read_session(self._sessions) as session:
            shoutout = kudos.get_shoutout(session=session, shoutout_id=shoutout_id)
            credit = None
            if shoutout.request_id is not None:
                request = request_service.get_request(
                    session=session, team_id=shoutout.team_id, request_id=shoutout.request_id
                )
                credit = blocks.RequestCredit(request.reference, request.department.name)
        if not shoutout.posted:
            with self._sessions.begin() as session:
                claimed = kudos.claim_post(
                    session=session,
                    shoutout_id=shoutout_id,
                    now=now,
                    abandoned_before=now - ANNOUNCE_RETRY_DELAY,
                )
            if not claimed:
                return False
            try:
                posted = gateway.post_message(
                    channel=channel, message=blocks.build_shoutout(shoutout, credit=credit)
                )
            except SLACK_FAILURES:
                with self._sessions.begin() as session:
                    kudos.release_post(session=session, shoutout_id=shoutout_id, claimed_at=now)
                raise
            link = gateway.permalink(channel=posted.channel, ts=posted.ts)
            with self._sessions.begin() as session:
                kudos.record_post(
                    session=session,
                    shoutout_id=shoutout_id,
                    channel_id=posted.channel,
                    ts=posted.ts,
                    permalink=link,
                    now=now,
                )
                shoutout = kudos.get_shoutout(session=session, shoutout_id=shoutout_id)
            logger.info("kudos.posted", extra={"shoutout_id": shoutout_id})
        dm = blocks.build_recipient_dm(shoutout, channel_id=shoutout.channel_id or channel)
        for recipient in shoutout.unnotified:
            gateway.post_message(channel=recipient, message=dm)
            with self._sessions.begin() as session:
                kudos.mark_notified(
                    session=session,
                    shoutout_id=shoutout_id,
                    recipient_id=recipient,
                    now=self._clock.now(),
                )
        return True

    def announce_job(self, job: JobSnapshot) -> None:
        if not self._announce(int(job.payload["shoutout_id"]), self._job_gateway):
            raise RunLater(self._clock.now() + ANNOUNCE_RETRY_DELAY, "another runner is posting it")

    # -- /kudos alone and /kudos top ----------------------------------------------------------
    def status(self, *, team_id: str, user_id: str) -> KudosStatus:
        given, (_, end) = self._given_today(team_id, user_id)
        with read_session(self._sessions) as session:
            recent = kudos.recent_given(
                session=session, team_id=team_id, giver_id=user_id, limit=RECENT_SHOWN
            )
        limit = self._policy.daily_limit
        return KudosStatus(max(limit - given, 0), limit, end, recent)

    def top(self, *, team_id: str, user_id: str) -> KudosTop:
        """This month, in the viewer's own time zone."""
        viewer = self._profiles.lookup(team_id=team_id, user_id=user_id)
        since, until = local_month(self._clock.now(), viewer.timezone)
        with read_session(self._sessions) as session:
            tally = kudos.tally(session=session, since=since, until=until, team_id=team_id)
            received = kudos.department_kudos(
                session=session, since=since, until=until, team_id=team_id
            )
            handled = kudos.handled_requests(
                session=session, since=since, until=until, team_id=team_id
            )
            departments = request_service.list_departments(session=session, team_id=team_id)
        rows = [
            blocks.DepartmentKudos(
                d.name,
                received.get(d.id, 0),
                handled.get(d.id, 0),
                per_hundred(received.get(d.id, 0), handled.get(d.id, 0)),
            )
            for d in departments
        ]
        rows.sort(key=lambda row: (row.per_hundred is None, -(row.per_hundred or 0), row.name))
        month = since.astimezone(zone_or_utc(viewer.timezone)).strftime("%B %Y")
        return KudosTop(month, tally, rows)

    # -- a resolved request's "Send kudos" -----------------------------------------------------
    def kudos_offer(self, request: RequestSnapshot) -> str | None:
        """The name for the "Send kudos to …" button on a resolved request's messages, or
        None when there is nobody to thank or kudos are not set up."""
        resolver = _resolver(request)
        if not self._policy.channel_id or resolver is None:
            return None
        try:
            profile = self._profiles.lookup(team_id=request.team_id, user_id=resolver)
        except SLACK_FAILURES:
            logger.warning("kudos.offer_name_unavailable", exc_info=True)
            return "them"
        if profile.is_bot or profile.deactivated:
            return None
        return profile.display_name or "them"

    def _request_recipient(
        self, *, team_id: str, user_id: str, request_id: int
    ) -> tuple[RequestSnapshot, str]:
        self._channel()
        with read_session(self._sessions) as session:
            request = request_service.get_request(
                session=session, team_id=team_id, request_id=request_id
            )
        if user_id != request.requester_id:
            raise NotAllowed(f"Only the person who filed {request.reference} can thank for it.")
        recipient = _resolver(request)
        if recipient is None:
            raise NotAllowed(
                f"Nobody else resolved {request.reference}, so there is no one to thank."
            )
        return request, recipient

    def request_form(self, *, team_id: str, user_id: str, request_id: int) -> RequestKudosForm:
        """What the kudos modal of a request needs; refuses before the modal opens when the
        kudos could not be sent anyway."""
        request, recipient = self._request_recipient(
            team_id=team_id, user_id=user_id, request_id=request_id
        )
        self._check_recipients(team_id, (recipient,))
        given, _ = self._given_today(team_id, user_id)
        check_daily_limit(given_today=given, asked=1, limit=self._policy.daily_limit)
        profile = self._profiles.lookup(team_id=team_id, user_id=recipient)
        return RequestKudosForm(request, recipient, profile.display_name or "them")

    def give_for_request(
        self,
        *,
        team_id: str,
        giver_id: str,
        request_id: int,
        message: str,
        value: str | None,
        idempotency_key: str,
    ) -> GiveOutcome:
        """The modal's submission: an empty message is fine, the shout-out names the request."""
        request, recipient = self._request_recipient(
            team_id=team_id, user_id=giver_id, request_id=request_id
        )
        if value is not None and value not in self._policy.values:
            value = None
        return self._give(
            team_id=team_id,
            giver_id=giver_id,
            recipients=(recipient,),
            message=message,
            value=value,
            source=KudosSource.REQUEST,
            idempotency_key=idempotency_key,
            request=request,
        )

    # -- the kudos emoji ----------------------------------------------------------------------
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
        change = kudos.ReactionChange.UNCHANGED
        with self._sessions.begin() as session:
            if not events.first_delivery(
                session=session, team_id=team_id, event_id=f"kudos:{reaction.event_id}", now=now
            ):
                logger.info("slack.event_repeated", extra={"event_id": reaction.event_id})
                return
            if refusal is None and reaction.added:
                assert day is not None
                people.lock_person(session=session, team_id=team_id, user_id=giver)
                counting = kudos.reaction_counts(
                    session=session,
                    team_id=team_id,
                    giver_id=giver,
                    channel_id=reaction.channel_id,
                    ts=reaction.ts,
                )
                given = kudos.given_between(
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
                change = kudos.apply_reaction(
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
                if change is kudos.ReactionChange.GIVEN:
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
        if change is not kudos.ReactionChange.UNCHANGED:
            logger.info("kudos.reaction", extra={"change": change.value})

    def _enqueue_reaction_batch(self, session: Session, team_id: str, now: datetime) -> None:
        window = int(REACTION_BATCH_WINDOW.total_seconds())
        bucket = int(now.timestamp()) // window
        jobs.enqueue(
            session=session,
            team_id=team_id,
            kind=kudos.REACTION_BATCH,
            unique_key=f"{kudos.REACTION_BATCH}:{team_id}:{bucket}",
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
            given = kudos.unannounced_reactions(session=session, team_id=job.team_id, until=now)
        if not given:
            return
        grouped: OrderedDict[tuple[str, str, str], int] = OrderedDict()
        for item in given:
            key = (item.recipient_id, item.channel_id, item.ts)
            grouped[key] = grouped.get(key, 0) + 1
        groups = []
        for index, ((recipient, message_channel, ts), givers) in enumerate(grouped.items()):
            named = index >= blocks.MENTIONS_MAX and index < blocks.BATCH_LINES_MAX
            name = (
                self._job_profiles.lookup(team_id=job.team_id, user_id=recipient).display_name
                if named
                else None
            )
            link = (
                self._job_gateway.permalink(channel=message_channel, ts=ts)
                if index < blocks.BATCH_LINES_MAX
                else None
            )
            groups.append(blocks.ReactionGroup(recipient, name, message_channel, link, givers))
        self._job_gateway.post_message(
            channel=channel, message=blocks.build_reaction_batch(groups, emoji=self._policy.emoji)
        )
        with self._sessions.begin() as session:
            kudos.mark_announced(session=session, kudos_ids=[item.id for item in given], now=now)
        logger.info("kudos.reactions_announced", extra={"kudos": len(given)})

    # -- the weekly digest --------------------------------------------------------------------
    def _next_digest(self, after: datetime) -> datetime:
        zone = zone_or_utc(self._policy.digest_timezone)
        week = Week.of(after.astimezone(zone).date())
        for _ in range(3):
            due = self._policy.digest_schedule.due_at(week, self._policy.digest_timezone)
            if due > after:
                return due
            week = Week(week.monday + timedelta(days=7))
        raise AssertionError("a weekly moment is always within three weeks")

    def _previous_digest(self, due: datetime) -> datetime:
        """The digest moment a week before `due`: what the digest covers since, which is
        not always 7 x 24 hours when the clocks change."""
        zone = zone_or_utc(self._policy.digest_timezone)
        week = Week.of(due.astimezone(zone).date())
        earlier = Week(week.monday - timedelta(days=7))
        return self._policy.digest_schedule.due_at(earlier, self._policy.digest_timezone)

    def schedule_digest(self, *, team_id: str) -> datetime | None:
        """Make sure the next digest has its job; each digest schedules the one after."""
        if not self._policy.channel_id:
            return None
        now = self._clock.now()
        due = self._next_digest(now)
        with self._sessions.begin() as session:
            self._enqueue_digest(session, team_id, due, now)
        return due

    def _enqueue_digest(self, session: Session, team_id: str, due: datetime, now: datetime) -> None:
        jobs.enqueue(
            session=session,
            team_id=team_id,
            kind=kudos.DIGEST,
            unique_key=f"{kudos.DIGEST}:{team_id}:{due.date().isoformat()}",
            due_at=due,
            now=now,
            payload={"due": due.isoformat()},
        )

    def post_digest(self, job: JobSnapshot) -> None:
        """Thank the receivers since the last digest in the kudos channel; nothing when nobody
        was thanked."""
        channel = self._policy.channel_id
        if not channel:
            return
        due = datetime.fromisoformat(str(job.payload["due"]))
        now = self._clock.now()
        with self._sessions.begin() as session:
            self._enqueue_digest(session, job.team_id, self._next_digest(due), now)
            tally = kudos.tally(
                session=session, since=self._previous_digest(due), until=due, team_id=job.team_id
            )
        if not tally.receivers:
            logger.info("kudos.digest_empty", extra={"team_id": job.team_id})
            return
        receivers = []
        for index, (user_id, count) in enumerate(tally.receivers):
            name = None
            if blocks.MENTIONS_MAX <= index < blocks.DIGEST_NAMED_MAX:
                name = self._job_profiles.lookup(team_id=job.team_id, user_id=user_id).display_name
            receivers.append((user_id, name, count))
        message = blocks.build_digest(receivers, kudos=tally.kudos, givers=len(tally.givers))
        self._job_gateway.post_message(channel=channel, message=message)
        logger.info("kudos.digest_posted", extra={"receivers": len(receivers)})


def _announce_key(shoutout_id: int) -> str:
    return f"{kudos.ANNOUNCE}:{shoutout_id}"
