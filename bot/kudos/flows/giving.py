"""Giving kudos: `/kudos @alex @sam what for`, or a resolved request's Send kudos button
and its modal.

A shout-out is saved, with a job that posts it, in one transaction before anything is sent:
the interactive path posts it at once and cancels the job, and when Slack fails or the
process dies the job posts it later."""

from __future__ import annotations

import logging
from datetime import timedelta

from bot import jobs
from bot.db import read_session
from bot.errors import NotAllowed
from bot.jobs import JobSnapshot, RunLater
from bot.kudos import messages, store
from bot.kudos.flows.common import KudosFlow
from bot.kudos.rules import (
    RECIPIENT_DM_TAG,
    SHOUTOUT_TAG,
    GiveOutcome,
    KudosDraft,
    KudosJob,
    KudosSource,
    KudosStatus,
    RequestKudosForm,
    check_daily_limit,
    check_draft,
    resolver_of,
)
from bot.people import store as people_store
from bot.requests import store as request_store
from bot.requests.rules import RequestSnapshot
from bot.slack import MessageTag, SlackGateway
from bot.slack_client import SLACK_FAILURES

logger = logging.getLogger(__name__)

# A shout-out whose interactive post did not finish is posted by its job after this; a
# claim to post it older than this was abandoned.
ANNOUNCE_RETRY_DELAY = timedelta(minutes=2)


RECENT_SHOWN = 5


class Giving(KudosFlow):
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
            repeated = store.shoutout_for_key(session=session, idempotency_key=idempotency_key)
        if repeated is not None:
            given, _ = self._given_today(team_id, giver_id)
            return GiveOutcome(repeated, channel, max(limit - given, 0), limit, repeated.posted)
        self._check_recipients(team_id, recipients)
        _, (start, end) = self._given_today(team_id, giver_id)
        now = self._clock.now()
        with self._sessions.begin() as session:
            people_store.lock_person(session=session, team_id=team_id, user_id=giver_id)
            given = store.given_between(
                session=session, team_id=team_id, giver_id=giver_id, start=start, end=end
            )
            check_daily_limit(given_today=given, asked=len(recipients), limit=limit)
            shoutout = store.record_shoutout(
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
                kind=KudosJob.ANNOUNCE,
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
            posted = self._announce(shoutout.id, self._gateway, by_job=False)
        except SLACK_FAILURES:
            logger.exception("kudos.post_failed", extra={"shoutout_id": shoutout.id})
        if posted:
            with self._sessions.begin() as session:
                jobs.cancel(session=session, unique_key=_announce_key(shoutout.id), now=now)
        with read_session(self._sessions) as session:
            current = store.get_shoutout(session=session, shoutout_id=shoutout.id)
        # Counted afresh: a repeated delivery handled at the same moment may have found this
        # shout-out instead of adding its own.
        given_now, _ = self._given_today(team_id, giver_id)
        return GiveOutcome(current, channel, max(limit - given_now, 0), limit, current.posted)

    def _announce(self, shoutout_id: int, gateway: SlackGateway, *, by_job: bool) -> bool:
        """Post the shout-out if it is not up yet, then DM each recipient not told yet.
        True once all is done; False while another runner is posting it. The job comes
        after an interactive try, which may have reached Slack without telling us."""
        channel = self._channel()
        now = self._clock.now()
        with read_session(self._sessions) as session:
            shoutout = store.get_shoutout(session=session, shoutout_id=shoutout_id)
            credit = None
            if shoutout.request_id is not None:
                request = request_store.get_request(
                    session=session, team_id=shoutout.team_id, request_id=shoutout.request_id
                )
                credit = messages.RequestCredit(request.reference, request.department.name)
        if not shoutout.posted:
            with self._sessions.begin() as session:
                claimed = store.claim_post(
                    session=session,
                    shoutout_id=shoutout_id,
                    now=now,
                    abandoned_before=now - ANNOUNCE_RETRY_DELAY,
                )
            if not claimed:
                return False
            posted = gateway.post_once(
                channel=channel,
                message=messages.build_shoutout(shoutout, credit=credit),
                tag=MessageTag(SHOUTOUT_TAG, shoutout_id),
                # Claimed before: that try may have reached Slack.
                resumed=shoutout.post_claimed_at is not None,
            )
            link = gateway.permalink(channel=posted.channel, ts=posted.ts)
            with self._sessions.begin() as session:
                store.record_post(
                    session=session,
                    shoutout_id=shoutout_id,
                    channel_id=posted.channel,
                    ts=posted.ts,
                    permalink=link,
                    now=now,
                )
                shoutout = store.get_shoutout(session=session, shoutout_id=shoutout_id)
            logger.info("kudos.posted", extra={"shoutout_id": shoutout_id})
        dm = messages.build_recipient_dm(shoutout, channel_id=shoutout.channel_id or channel)
        for recipient in shoutout.unnotified:
            gateway.post_once(
                channel=recipient,
                message=dm,
                tag=MessageTag(RECIPIENT_DM_TAG, shoutout_id),
                resumed=by_job,
            )
            with self._sessions.begin() as session:
                store.mark_notified(
                    session=session,
                    shoutout_id=shoutout_id,
                    recipient_id=recipient,
                    now=self._clock.now(),
                )
        return True

    def announce_job(self, job: JobSnapshot) -> None:
        if not self._announce(int(job.payload["shoutout_id"]), self._job_gateway, by_job=True):
            raise RunLater(self._clock.now() + ANNOUNCE_RETRY_DELAY, "another runner is posting it")

    def status(self, *, team_id: str, user_id: str) -> KudosStatus:
        given, (_, end) = self._given_today(team_id, user_id)
        with read_session(self._sessions) as session:
            recent = store.recent_given(
                session=session, team_id=team_id, giver_id=user_id, limit=RECENT_SHOWN
            )
        limit = self._policy.daily_limit
        return KudosStatus(max(limit - given, 0), limit, end, recent)

    def kudos_offer(self, request: RequestSnapshot) -> str | None:
        """The name for the "Send kudos to …" button on a resolved request's messages, or
        None when there is nobody to thank or kudos are not set up. A private request offers
        none: a shout-out in public would tell who asked that department something."""
        resolver = resolver_of(request)
        if not self._policy.channel_id or resolver is None or request.private:
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
            request = request_store.get_request(
                session=session, team_id=team_id, request_id=request_id
            )
        if user_id != request.requester_id:
            raise NotAllowed(f"Only the person who filed {request.reference} can thank for it.")
        if request.private:
            raise NotAllowed(
                f"{request.reference} is private, so no shout-out names it: `/kudos @name` "
                "thanks someone without naming a request."
            )
        recipient = resolver_of(request)
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


def _announce_key(shoutout_id: int) -> str:
    return f"{KudosJob.ANNOUNCE}:{shoutout_id}"
