"""Request desk use cases on the caller's session: they read and write, the caller commits."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.db import compare_and_set
from bot.errors import InvalidTransition, NotAllowed, NotFound
from bot.forms.rules import Answer, check_answers
from bot.requests.departments.store import department_snapshot, unknown_department
from bot.requests.rules import (
    ACTION_ROLES,
    ANSWERING_ACTIONS,
    OPEN_STATUSES,
    MessageSource,
    Queue,
    RequestAction,
    RequestSnapshot,
    RequestStatus,
    Role,
    Urgency,
    decide_transition,
    explain_state,
    resumed_status,
)
from bot.service_levels.rules import due_times, elapsed, pause
from bot.text import escape, user_mention
from models import Department, Request, RequestEvent


@dataclass(frozen=True)
class FiledRequest:
    request: RequestSnapshot
    created: bool


@dataclass(frozen=True)
class Transition:
    request: RequestSnapshot
    # The audit event it appended: what its follow-up messages are keyed by.
    event_id: int


def request_snapshot(request: Request) -> RequestSnapshot:
    return RequestSnapshot(
        id=request.id,
        team_id=request.team_id,
        department=department_snapshot(request.department),
        requester_id=request.requester_id,
        text=request.text,
        urgency=Urgency(request.urgency),
        status=RequestStatus(request.status),
        assignee_id=request.assignee_id,
        created_at=request.created_at,
        resolved_at=request.resolved_at,
        closed_by_id=request.closed_by_id,
        card_channel_id=request.card_channel_id,
        card_ts=request.card_ts,
        version=request.version,
        rating=request.rating.score if request.rating is not None else None,
        first_response_at=request.first_response_at,
        first_response_due_at=request.first_response_due_at,
        resolution_due_at=request.resolution_due_at,
        conversation_channel_id=request.conversation_channel_id,
        conversation_ts=request.conversation_ts,
        private=request.private,
        source=MessageSource(request.source_channel_id, request.source_ts, request.source_permalink)
        if request.source_channel_id and request.source_ts
        else None,
        filed_by_id=request.filed_by_id,
        waiting_since=request.waiting_since,
        sla_paused=timedelta(seconds=request.paused_seconds or 0),
        answers=tuple(Answer.from_stored(stored) for stored in request.answers or ()),
    )


def file_request(
    *,
    session: Session,
    team_id: str,
    requester_id: str,
    department_key: str,
    text: str,
    urgency: Urgency,
    idempotency_key: str,
    now: datetime,
    answers: Mapping[str, str] | None = None,
    sensitive: bool = False,
    source: MessageSource | None = None,
    filed_by_id: str | None = None,
) -> FiledRequest:
    """File a request once per idempotency key: a repeat returns the first one unchanged.
    `answers` (by question key, as sent) must answer the department's questions as they are
    now; the form checked them already, unless the file changed since. It is private when
    its department is, or when its requester said it is `sensitive`."""
    existing = _find_by_idempotency_key(session, team_id, idempotency_key)
    if existing is not None:
        return FiledRequest(request_snapshot(existing), created=False)
    department = session.scalar(
        select(Department).where(
            Department.team_id == team_id,
            Department.key == department_key,
            Department.active.is_(True),
        )
    )
    if department is None:
        raise unknown_department(session, team_id, department_key)
    promised = department_snapshot(department)
    checked = check_answers(promised.fields, answers or {})
    if checked.errors:
        raise NotFound(
            f"*{escape(promised.name)}* asks for more than it was given (its form may have "
            f"just changed), so nothing was filed. `/request {escape(promised.key)}` opens it."
        )
    due = due_times(
        promised.service_levels,
        urgency=urgency.value,
        filed_at=now,
        calendar=promised.calendar,
    )
    request = Request(
        private=promised.private or sensitive,
        source_channel_id=source.channel_id if source else None,
        source_ts=source.ts if source else None,
        source_permalink=source.permalink if source else None,
        filed_by_id=filed_by_id,
        team_id=team_id,
        department=department,
        requester_id=requester_id,
        text=text,
        urgency=urgency.value,
        status=RequestStatus.OPEN.value,
        version=1,
        idempotency_key=idempotency_key,
        created_at=now,
        updated_at=now,
        first_response_due_at=due.first_response,
        resolution_due_at=due.resolution,
        answers=[answer.stored() for answer in checked.answers],
    )
    try:
        with session.begin_nested():
            session.add(request)
            session.flush()
    except IntegrityError:
        # A concurrent delivery of the same submission won the insert.
        winner = _find_by_idempotency_key(session, team_id, idempotency_key)
        if winner is None:
            raise
        return FiledRequest(request_snapshot(winner), created=False)
    session.add(
        RequestEvent(
            team_id=team_id,
            request_id=request.id,
            actor_id=requester_id,
            action=RequestAction.FILE.value,
            from_status=None,
            to_status=RequestStatus.OPEN.value,
            created_at=now,
        )
    )
    session.flush()
    return FiledRequest(request_snapshot(request), created=True)


def _find_by_idempotency_key(session: Session, team_id: str, key: str) -> Request | None:
    return session.scalar(
        select(Request).where(Request.team_id == team_id, Request.idempotency_key == key)
    )


def get_request(*, session: Session, team_id: str, request_id: int) -> RequestSnapshot:
    request = session.get(Request, request_id)
    if request is None or request.team_id != team_id:
        raise NotFound(f"REQ-{request_id} does not exist.")
    return request_snapshot(request)


def get_requests(
    *, session: Session, team_id: str, request_ids: Collection[int]
) -> dict[int, RequestSnapshot]:
    """The workspace's requests among `request_ids`, read at once, by id."""
    rows = session.scalars(
        select(Request).where(Request.team_id == team_id, Request.id.in_(sorted(request_ids)))
    )
    return {request.id: request_snapshot(request) for request in rows}


def record_card(*, session: Session, request_id: int, channel_id: str, ts: str) -> None:
    card = {"card_channel_id": channel_id, "card_ts": ts}
    session.execute(update(Request).where(Request.id == request_id).values(**card))


def list_open_requests(
    *, session: Session, team_id: str, requester_id: str
) -> list[RequestSnapshot]:
    rows = session.scalars(
        select(Request)
        .where(
            Request.team_id == team_id,
            Request.requester_id == requester_id,
            Request.status.in_([s.value for s in OPEN_STATUSES]),
        )
        .order_by(Request.created_at.desc(), Request.id.desc())
    )
    return [request_snapshot(r) for r in rows]


def recently_resolved(
    *, session: Session, team_id: str, requester_id: str, since: datetime, limit: int
) -> list[RequestSnapshot]:
    """The requester's requests resolved since `since`, the latest first."""
    rows = session.scalars(
        select(Request)
        .where(
            Request.team_id == team_id,
            Request.requester_id == requester_id,
            Request.status == RequestStatus.RESOLVED.value,
            Request.resolved_at >= since,
        )
        .order_by(Request.resolved_at.desc(), Request.id.desc())
        .limit(limit)
    )
    return [request_snapshot(r) for r in rows]


def department_queue(*, session: Session, department_id: int, limit: int) -> Queue:
    open_here = (
        Request.department_id == department_id,
        Request.status.in_([s.value for s in OPEN_STATUSES]),
    )
    rows = session.scalars(
        select(Request)
        .where(*open_here)
        .order_by((Request.status != RequestStatus.OPEN.value), Request.created_at, Request.id)
        .limit(limit)
    )
    total = session.scalar(select(func.count()).select_from(Request).where(*open_here)) or 0
    return Queue([request_snapshot(r) for r in rows], int(total))


def transition_request(
    *,
    session: Session,
    request: RequestSnapshot,
    actor_id: str,
    action: RequestAction,
    roles: frozenset[Role],
    now: datetime,
    assignee_id: str | None = None,
    idempotency_key: str | None = None,
) -> Transition:
    """Apply one lifecycle action if `request` is still the version the actor saw.

    The UPDATE compares the version, so of two agents claiming at once exactly one wins;
    the other gets InvalidTransition explaining the state that beat them.
    """
    decision = decide_transition(status=request.status, action=action, roles=roles)
    if not ACTION_ROLES[action] & roles:
        raise NotAllowed(f"Sorry, {decision.reason} on {request.reference}.")
    if not decision.allowed or decision.to_status is None:
        raise InvalidTransition(explain_state(request))
    if action is RequestAction.REASSIGN and assignee_id is None:
        raise InvalidTransition("Choose someone to assign it to.")
    if action is RequestAction.REASSIGN and assignee_id == request.assignee_id:
        raise InvalidTransition(
            f"{request.reference} is already assigned to {user_mention(assignee_id or '')}."
        )

    new_assignee = request.assignee_id
    if action is RequestAction.CLAIM:
        new_assignee = actor_id
    elif action is RequestAction.REASSIGN:
        new_assignee = assignee_id
    elif action in (RequestAction.UNCLAIM, RequestAction.REOPEN):
        new_assignee = None

    to_status = decision.to_status
    if action is RequestAction.RESUME:
        to_status = resumed_status(new_assignee)
    values: dict[str, object] = {
        "status": to_status.value,
        "version": Request.version + 1,
        "updated_at": now,
        "assignee_id": new_assignee,
    }
    paused = request.sla_paused
    if request.status is RequestStatus.WAITING:
        resumed, paused = _stop_waiting(request, now)
        values.update(resumed)
    if action in (RequestAction.RESOLVE, RequestAction.CANCEL, RequestAction.CLOSE_UNANSWERED):
        values["closed_by_id"] = actor_id
        if action is not RequestAction.CANCEL:
            took = elapsed(
                filed_at=request.created_at,
                until=now,
                calendar=request.department.calendar,
                paused=paused,
            )
            values.update(
                resolved_at=now,
                resolution_seconds=took.seconds,
                resolution_business_seconds=took.business_seconds,
            )
    elif action is RequestAction.REOPEN:
        values.update(
            resolved_at=None,
            closed_by_id=None,
            resolution_seconds=None,
            resolution_business_seconds=None,
        )
    elif action is RequestAction.WAIT:
        values["waiting_since"] = now

    if not compare_and_set(
        session, Request, Request.id == request.id, Request.version == request.version, **values
    ):
        current = get_request(session=session, team_id=request.team_id, request_id=request.id)
        raise InvalidTransition(explain_state(current))
    if action in ANSWERING_ACTIONS:
        # The first claim, assignment, question or resolution is the first response.
        record_first_response(session=session, request=request, now=now)
    session.add(
        RequestEvent(
            team_id=request.team_id,
            request_id=request.id,
            actor_id=actor_id,
            action=action.value,
            from_status=request.status.value,
            to_status=to_status.value,
            assignee_id=new_assignee,
            idempotency_key=idempotency_key,
            created_at=now,
        )
    )
    session.flush()
    event_id = session.scalars(
        select(RequestEvent.id)
        .where(RequestEvent.request_id == request.id)
        .order_by(RequestEvent.id.desc())
        .limit(1)
    ).one()
    session.expire_all()
    after = get_request(session=session, team_id=request.team_id, request_id=request.id)
    return Transition(request=after, event_id=event_id)


def record_first_response(*, session: Session, request: RequestSnapshot, now: datetime) -> bool:
    """Mark `now` as the request's first response, with how long it took, unless it already
    had one; True if it was the first."""
    took = elapsed(filed_at=request.created_at, until=now, calendar=request.department.calendar)
    result = session.execute(
        update(Request)
        .where(Request.id == request.id, Request.first_response_at.is_(None))
        .values(
            first_response_at=now,
            first_response_seconds=took.seconds,
            first_response_business_seconds=took.business_seconds,
        )
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def _stop_waiting(request: RequestSnapshot, now: datetime) -> tuple[dict[str, object], timedelta]:
    """The clock runs again: targets still running move on by the working time the wait
    took, which is added to the request's paused time. Also that paused time: the request
    was read with the version the change is made to, so the sum is what gets stored."""
    since = request.waiting_since or now
    paused = pause(
        since=since,
        until=now,
        first_response_due=(
            request.first_response_due_at if request.first_response_at is None else None
        ),
        resolution_due=request.resolution_due_at,
        calendar=request.department.calendar,
    )
    paused_in_all = request.sla_paused + timedelta(seconds=int(paused.paused.total_seconds()))
    values: dict[str, object] = {
        "waiting_since": None,
        "paused_seconds": int(paused_in_all.total_seconds()),
        "resolution_due_at": paused.resolution_due,
    }
    if request.first_response_at is None:
        values["first_response_due_at"] = paused.first_response_due
    return values, paused_in_all


def applied_click(*, session: Session, idempotency_key: str) -> int | None:
    """The event a click already made, if it was applied before."""
    return session.scalar(
        select(RequestEvent.id).where(RequestEvent.idempotency_key == idempotency_key)
    )
