"""Chasing a department's promises: a reminder in the card's thread once most of a target's
time has gone, and at the target an Overdue card and one DM to each of the department's leads.

Both are jobs, enqueued with the request and cancelled in the transaction of the change that
meets their target, so they survive restarts and never chase what is done. A job read when
its moment has moved (a pause on the requester) waits for the new one; one that falls outside
the department's working time waits for its next working minute.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.orm import Session

from bot import jobs
from bot.clock import Clock
from bot.db import SessionFactory, read_session
from bot.jobs import JobSnapshot, RunLater
from bot.requests import store as requests_store
from bot.requests.flows.notices import refresh_request_card
from bot.requests.rules import RequestSnapshot, RequestStatus, is_open
from bot.service_levels import messages
from bot.service_levels.rules import SlaJob, Target
from bot.slack import MessageTag, SlackGateway

logger = logging.getLogger(__name__)

# Metadata event types of the thread notes and DMs, keyed by request and target, by which
# `post_once` finds one already sent.
REMINDER_TAG = "pulsedesk_sla_reminder"
ESCALATION_TAG = "pulsedesk_sla_escalation"


def job_key(kind: SlaJob, request_id: int, target: Target, generation: int | None = None) -> str:
    """The first jobs of a target are keyed by it alone; those scheduled again when a wait on
    the requester ends carry the request's version then."""
    key = f"{kind}:{request_id}:{target}"
    return key if generation is None else f"{key}:{generation}"


def _tag_key(request: RequestSnapshot, target: Target) -> int:
    return request.id * len(Target) + list(Target).index(target)


def _is_met(request: RequestSnapshot, target: Target) -> bool:
    """Nothing more to chase: the target is done, or the request no longer asks for it."""
    if not is_open(request.status):
        return True
    return target is Target.FIRST_RESPONSE and request.first_response_at is not None


def _not_to_chase(request: RequestSnapshot, target: Target) -> bool:
    """Met, or stopped while the request waits on its requester (the wait's end schedules
    it again)."""
    return _is_met(request, target) or request.status is RequestStatus.WAITING


class ServiceLevelAlerts:
    def __init__(
        self, *, session_factory: SessionFactory, job_gateway: SlackGateway, clock: Clock
    ) -> None:
        self._sessions = session_factory
        self._gateway = job_gateway
        self._clock = clock

    def schedule(
        self,
        session: Session,
        *,
        request: RequestSnapshot,
        now: datetime,
        generation: int | None = None,
    ) -> None:
        """In the filing transaction, or the one that ends a wait on the requester: the
        reminder and the escalation of each target still running."""
        for target in Target:
            due, warn = messages.due_at(request, target), messages.remind_from(request, target)
            if due is None or warn is None or _is_met(request, target):
                continue
            for kind, at in ((SlaJob.REMIND, warn), (SlaJob.ESCALATE, due)):
                if generation is not None and at <= now:
                    if kind is SlaJob.REMIND:
                        # Its moment came before the wait or the resolution: too late now.
                        continue
                    # Past due when chased again: a request resolved in time and reopened
                    # after its due time is overdue now, and its leads are told. One that
                    # went out before the wait or the resolution is found, not repeated.
                    at = now
                jobs.enqueue(
                    session=session,
                    team_id=request.team_id,
                    kind=kind,
                    unique_key=job_key(kind, request.id, target, generation),
                    due_at=at,
                    now=now,
                    payload={"request_id": request.id, "target": target.value},
                )

    def settle(
        self,
        session: Session,
        *,
        request: RequestSnapshot,
        now: datetime,
        resumed: bool = False,
    ) -> None:
        """In a change's transaction: what it met, or paused, is chased no more; a wait that
        ended, or a reopening, starts the chase again, to the due times as they stand."""
        for target in Target:
            if _not_to_chase(request, target):
                for kind in SlaJob:
                    jobs.cancel_all(
                        session=session, key_prefix=job_key(kind, request.id, target), now=now
                    )
        if resumed:
            self.schedule(session, request=request, now=now, generation=request.version)

    def _request(self, job: JobSnapshot) -> tuple[RequestSnapshot, Target]:
        with read_session(self._sessions) as session:
            request = requests_store.get_request(
                session=session, team_id=job.team_id, request_id=int(job.payload["request_id"])
            )
        return request, Target(job.payload["target"])

    def _wait_for_working_time(self, request: RequestSnapshot, now: datetime) -> None:
        calendar = request.department.calendar
        if calendar is not None and not calendar.is_open(now):
            raise RunLater(calendar.next_open(now), "outside the department's working time")

    def _card(self, request: RequestSnapshot) -> tuple[str, str]:
        if request.card_channel_id is None or request.card_ts is None:
            # Its own job is still posting it; this one is retried after it.
            raise RuntimeError(f"{request.reference} has no card yet")
        return request.card_channel_id, request.card_ts

    def remind(self, job: JobSnapshot) -> None:
        request, target = self._request(job)
        warn, due = messages.remind_from(request, target), messages.due_at(request, target)
        if _not_to_chase(request, target) or warn is None or due is None:
            return
        now = self._clock.now()
        if now < warn:
            raise RunLater(warn, "the reminder's time moved")
        if now >= due:
            # Too late to remind: the escalation says it is overdue instead.
            return
        self._wait_for_working_time(request, now)
        channel, card_ts = self._card(request)
        self._gateway.post_once(
            channel=channel,
            message=messages.build_reminder(request, target),
            tag=MessageTag(REMINDER_TAG, _tag_key(request, target)),
            # Scheduled again after a wait, a reminder already sent is found, not repeated.
            resumed=True,
            thread_ts=card_ts,
        )
        self._refresh_card(request)
        logger.info("sla.reminded", extra={"request_id": request.id, "target": target.value})

    def escalate(self, job: JobSnapshot) -> None:
        request, target = self._request(job)
        due = messages.due_at(request, target)
        if _not_to_chase(request, target) or due is None:
            return
        now = self._clock.now()
        if now < due:
            raise RunLater(due, "the target's time moved")
        # The card turns Overdue at once; people are told in working time only.
        self._refresh_card(request)
        self._wait_for_working_time(request, now)
        channel, card_ts = self._card(request)
        leads = request.department.leads
        tag = MessageTag(ESCALATION_TAG, _tag_key(request, target))
        # An escalation scheduled again after a wait finds what was sent, and sends no more.
        resumed = True
        self._gateway.post_once(
            channel=channel,
            message=messages.build_overdue_note(request, target, leads_told=bool(leads)),
            tag=tag,
            resumed=resumed,
            thread_ts=card_ts,
        )
        if leads:
            link = self._gateway.permalink(channel=channel, ts=card_ts)
            dm = messages.build_escalation_dm(request, target, card_link=link)
            for lead in leads:
                self._gateway.post_once(channel=lead, message=dm, tag=tag, resumed=resumed)
        logger.info(
            "sla.escalated",
            extra={"request_id": request.id, "target": target.value, "leads": len(leads)},
        )

    def _refresh_card(self, request: RequestSnapshot) -> None:
        refresh_request_card(
            sessions=self._sessions,
            gateway=self._gateway,
            clock=self._clock,
            team_id=request.team_id,
            request_id=request.id,
        )
