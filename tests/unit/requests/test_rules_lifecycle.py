"""The lifecycle table, checked pair by pair against a table written out here."""

from __future__ import annotations

import itertools

import pytest

from bot.requests.rules import (
    RequestAction,
    RequestStatus,
    Role,
    decide_transition,
    is_open,
    next_status,
)

A = RequestAction
S = RequestStatus

# Everything an agent may do: (status, action) -> new status. Anything not listed is refused.
AGENT_ALLOWED: dict[tuple[RequestStatus, RequestAction], RequestStatus] = {
    (S.OPEN, A.CLAIM): S.CLAIMED,
    (S.OPEN, A.REASSIGN): S.CLAIMED,
    (S.OPEN, A.RESOLVE): S.RESOLVED,
    (S.CLAIMED, A.UNCLAIM): S.OPEN,
    (S.CLAIMED, A.REASSIGN): S.CLAIMED,
    (S.CLAIMED, A.RESOLVE): S.RESOLVED,
    (S.OPEN, A.WAIT): S.WAITING,
    (S.CLAIMED, A.WAIT): S.WAITING,
    (S.WAITING, A.RESUME): S.OPEN,
    (S.WAITING, A.RESOLVE): S.RESOLVED,
}

# Everything the person who filed the request may do.
REQUESTER_ALLOWED: dict[tuple[RequestStatus, RequestAction], RequestStatus] = {
    (S.OPEN, A.CANCEL): S.CANCELLED,
    (S.CLAIMED, A.CANCEL): S.CANCELLED,
    (S.RESOLVED, A.REOPEN): S.OPEN,
    (S.WAITING, A.CANCEL): S.CANCELLED,
    # Their reply ends the wait.
    (S.WAITING, A.RESUME): S.OPEN,
}

# What pulsedesk's own jobs do.
DESK_ALLOWED: dict[tuple[RequestStatus, RequestAction], RequestStatus] = {
    (S.WAITING, A.CLOSE_UNANSWERED): S.RESOLVED,
}

EXPECTED: dict[Role, dict[tuple[RequestStatus, RequestAction], RequestStatus]] = {
    Role.AGENT: AGENT_ALLOWED,
    Role.REQUESTER: REQUESTER_ALLOWED,
    Role.DESK: DESK_ALLOWED,
}

AGENT_ACTIONS = {A.CLAIM, A.UNCLAIM, A.REASSIGN, A.RESOLVE, A.WAIT}
REQUESTER_ACTIONS = {A.FILE, A.CANCEL, A.REOPEN}
EITHER_ACTIONS = {A.RESUME}
DESK_ACTIONS = {A.CLOSE_UNANSWERED}

ALL_CASES = list(itertools.product(Role, RequestStatus, RequestAction))


def test_every_combination_is_covered() -> None:
    assert len(ALL_CASES) == 3 * 5 * 10
    assert set(RequestAction) == AGENT_ACTIONS | REQUESTER_ACTIONS | EITHER_ACTIONS | DESK_ACTIONS


@pytest.mark.parametrize(
    ("role", "status", "action"),
    ALL_CASES,
    ids=[f"{role}-{status}-{action}" for role, status, action in ALL_CASES],
)
def test_decide_transition_matches_table(
    role: Role, status: RequestStatus, action: RequestAction
) -> None:
    expected = EXPECTED[role].get((status, action))
    decision = decide_transition(status=status, action=action, roles=frozenset({role}))
    assert decision.allowed is (expected is not None)
    assert decision.to_status == expected
    if expected is None:
        assert decision.reason
    else:
        assert decision.reason is None


@pytest.mark.parametrize(
    ("status", "action"),
    list(itertools.product(RequestStatus, RequestAction)),
)
def test_holding_both_roles_allows_the_union(status: RequestStatus, action: RequestAction) -> None:
    # An agent who filed a request in their own department.
    expected = AGENT_ALLOWED.get((status, action)) or REQUESTER_ALLOWED.get((status, action))
    decision = decide_transition(
        status=status, action=action, roles=frozenset({Role.AGENT, Role.REQUESTER})
    )
    assert decision.allowed is (expected is not None)
    assert decision.to_status == expected


@pytest.mark.parametrize(
    ("status", "action"),
    list(itertools.product(RequestStatus, RequestAction)),
)
def test_no_role_allows_nothing(status: RequestStatus, action: RequestAction) -> None:
    decision = decide_transition(status=status, action=action, roles=frozenset())
    assert decision.allowed is False
    assert decision.to_status is None


@pytest.mark.parametrize("action", sorted(AGENT_ACTIONS))
@pytest.mark.parametrize("status", list(RequestStatus))
def test_requester_refused_agent_actions_with_role_reason(
    status: RequestStatus, action: RequestAction
) -> None:
    decision = decide_transition(status=status, action=action, roles=frozenset({Role.REQUESTER}))
    assert decision.allowed is False
    assert decision.reason == "only the department's agents can do that"


@pytest.mark.parametrize("action", sorted(REQUESTER_ACTIONS))
@pytest.mark.parametrize("status", list(RequestStatus))
def test_agent_refused_requester_actions_with_role_reason(
    status: RequestStatus, action: RequestAction
) -> None:
    decision = decide_transition(status=status, action=action, roles=frozenset({Role.AGENT}))
    assert decision.allowed is False
    assert decision.reason == "only the person who filed the request can do that"


@pytest.mark.parametrize(
    ("role", "status", "action"),
    [
        (Role.AGENT, S.CLAIMED, A.CLAIM),
        (Role.AGENT, S.OPEN, A.UNCLAIM),
        (Role.AGENT, S.RESOLVED, A.RESOLVE),
        (Role.AGENT, S.CANCELLED, A.CLAIM),
        (Role.AGENT, S.RESOLVED, A.REASSIGN),
        (Role.REQUESTER, S.OPEN, A.REOPEN),
        (Role.REQUESTER, S.RESOLVED, A.CANCEL),
        (Role.REQUESTER, S.CANCELLED, A.CANCEL),
        (Role.REQUESTER, S.CANCELLED, A.REOPEN),
        (Role.REQUESTER, S.OPEN, A.FILE),
    ],
)
def test_wrong_status_reason_names_the_status(
    role: Role, status: RequestStatus, action: RequestAction
) -> None:
    decision = decide_transition(status=status, action=action, roles=frozenset({role}))
    assert decision.allowed is False
    assert decision.reason == f"the request is {status.value}"


def test_only_the_desk_closes_a_request_left_unanswered() -> None:
    for role in (Role.AGENT, Role.REQUESTER):
        decision = decide_transition(
            status=S.WAITING, action=A.CLOSE_UNANSWERED, roles=frozenset({role})
        )
        assert decision.allowed is False
        assert decision.reason == "only pulsedesk itself does that"


def test_only_requester_reopen_leaves_resolved() -> None:
    ways_out = [
        (role, action)
        for role, status, action in ALL_CASES
        if status is S.RESOLVED
        and decide_transition(status=status, action=action, roles=frozenset({role})).allowed
    ]
    assert ways_out == [(Role.REQUESTER, A.REOPEN)]


def test_cancelled_is_final() -> None:
    for role, action in itertools.product(Role, RequestAction):
        decision = decide_transition(status=S.CANCELLED, action=action, roles=frozenset({role}))
        assert decision.allowed is False


@pytest.mark.parametrize(
    ("status", "action"),
    list(itertools.product(RequestStatus, RequestAction)),
)
def test_next_status_agrees_with_decisions(status: RequestStatus, action: RequestAction) -> None:
    expected = (
        AGENT_ALLOWED.get((status, action))
        or REQUESTER_ALLOWED.get((status, action))
        or DESK_ALLOWED.get((status, action))
    )
    assert next_status(status, action) == expected


@pytest.mark.parametrize(
    ("status", "open_"),
    [
        (S.OPEN, True),
        (S.CLAIMED, True),
        (S.WAITING, True),
        (S.RESOLVED, False),
        (S.CANCELLED, False),
    ],
)
def test_is_open(status: RequestStatus, open_: bool) -> None:
    assert is_open(status) is open_
