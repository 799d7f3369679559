"""The request lifecycle as a pure transition table: who may do what from which state."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class RequestStatus(StrEnum):
    OPEN = "open"
    CLAIMED = "claimed"
    RESOLVED = "resolved"
    CANCELLED = "cancelled"


class RequestAction(StrEnum):
    FILE = "file"
    CLAIM = "claim"
    UNCLAIM = "unclaim"
    REASSIGN = "reassign"
    RESOLVE = "resolve"
    REOPEN = "reopen"
    CANCEL = "cancel"


class Role(StrEnum):
    AGENT = "agent"
    REQUESTER = "requester"


OPEN_STATUSES = frozenset({RequestStatus.OPEN, RequestStatus.CLAIMED})

TRANSITIONS: dict[tuple[RequestStatus, RequestAction], RequestStatus] = {
    (RequestStatus.OPEN, RequestAction.CLAIM): RequestStatus.CLAIMED,
    (RequestStatus.OPEN, RequestAction.REASSIGN): RequestStatus.CLAIMED,
    (RequestStatus.OPEN, RequestAction.RESOLVE): RequestStatus.RESOLVED,
    (RequestStatus.OPEN, RequestAction.CANCEL): RequestStatus.CANCELLED,
    (RequestStatus.CLAIMED, RequestAction.UNCLAIM): RequestStatus.OPEN,
    (RequestStatus.CLAIMED, RequestAction.REASSIGN): RequestStatus.CLAIMED,
    (RequestStatus.CLAIMED, RequestAction.RESOLVE): RequestStatus.RESOLVED,
    (RequestStatus.CLAIMED, RequestAction.CANCEL): RequestStatus.CANCELLED,
    (RequestStatus.RESOLVED, RequestAction.REOPEN): RequestStatus.OPEN,
}

ACTION_ROLE: dict[RequestAction, Role] = {
    RequestAction.FILE: Role.REQUESTER,
    RequestAction.CLAIM: Role.AGENT,
    RequestAction.UNCLAIM: Role.AGENT,
    RequestAction.REASSIGN: Role.AGENT,
    RequestAction.RESOLVE: Role.AGENT,
    RequestAction.REOPEN: Role.REQUESTER,
    RequestAction.CANCEL: Role.REQUESTER,
}

# Actions that give the request an owner; the first of them is the first response.
ASSIGNING_ACTIONS = frozenset({RequestAction.CLAIM, RequestAction.REASSIGN})


@dataclass(frozen=True)
class TransitionDecision:
    allowed: bool
    to_status: RequestStatus | None = None
    reason: str | None = None


def next_status(status: RequestStatus, action: RequestAction) -> RequestStatus | None:
    return TRANSITIONS.get((status, action))


def decide_transition(
    *, status: RequestStatus, action: RequestAction, roles: frozenset[Role]
) -> TransitionDecision:
    """Whether an actor holding `roles` may apply `action` to a request in `status`."""
    required = ACTION_ROLE[action]
    if required not in roles:
        if required is Role.AGENT:
            return TransitionDecision(False, reason="only the department's agents can do that")
        return TransitionDecision(False, reason="only the person who filed the request can do that")
    target = next_status(status, action)
    if target is None:
        return TransitionDecision(False, reason=f"the request is {status.value}")
    return TransitionDecision(True, to_status=target)


def is_open(status: RequestStatus) -> bool:
    return status in OPEN_STATUSES
