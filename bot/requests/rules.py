"""The request desk's rules: the lifecycle as a pure transition table (who may do what from
which state), reading `/request` text and routing it, and the values a request is shown as."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from bot.business_time import BusinessCalendar
from bot.forms.rules import Answer, FieldDefinition
from bot.service_levels.rules import ServiceLevels
from bot.text import first_line, user_mention

# How much of a request's text names it in titles and lists.
SUMMARY_MAX = 80
# What names a private request where its text must not show.
PRIVATE_SUMMARY = "private request"

# The metadata event type on request cards, by which `post_once` finds one again.
REQUEST_CARD_TAG = "pulsedesk_request_card"
# ... and on the DM that confirms a request filed through the form.
REQUEST_FILED_TAG = "pulsedesk_request_filed"
# ... and on the DMs that follow a change, keyed by its event.
REQUEST_UPDATE_TAG = "pulsedesk_request_update"


class RequestJob(StrEnum):
    # Posts a card that could not be posted when the request was filed.
    POST_CARD = "request.post_card"
    # Sends the DMs that follow a change, when they could not all go out at once.
    NOTIFY = "request.notify"
    # Reminds a requester the department is waiting on, once, after the department's
    # `stale_after`.
    NUDGE = "request.nudge"
    # Closes a request still waiting on its requester after the department's
    # `auto_close_after`.
    CLOSE_UNANSWERED = "request.close_unanswered"


class RequestStatus(StrEnum):
    OPEN = "open"
    CLAIMED = "claimed"
    # An agent asked the requester something; the service levels' clock stops until they reply.
    WAITING = "waiting"
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
    WAIT = "wait"
    RESUME = "resume"
    CLOSE_UNANSWERED = "close_unanswered"


class Role(StrEnum):
    AGENT = "agent"
    REQUESTER = "requester"
    # pulsedesk itself, for what its jobs do on a department's behalf.
    DESK = "desk"


# Who the desk's own changes are recorded as.
DESK_ACTOR = "pulsedesk"

# Not finished: the department still has it to do.
OPEN_STATUSES = frozenset({RequestStatus.OPEN, RequestStatus.CLAIMED, RequestStatus.WAITING})

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
    (RequestStatus.OPEN, RequestAction.WAIT): RequestStatus.WAITING,
    (RequestStatus.CLAIMED, RequestAction.WAIT): RequestStatus.WAITING,
    # Back to claimed when someone has it (see `resumed_status`).
    (RequestStatus.WAITING, RequestAction.RESUME): RequestStatus.OPEN,
    (RequestStatus.WAITING, RequestAction.RESOLVE): RequestStatus.RESOLVED,
    (RequestStatus.WAITING, RequestAction.CANCEL): RequestStatus.CANCELLED,
    (RequestStatus.WAITING, RequestAction.CLOSE_UNANSWERED): RequestStatus.RESOLVED,
}

# Who may take each action: any one of these roles.
ACTION_ROLES: dict[RequestAction, frozenset[Role]] = {
    RequestAction.FILE: frozenset({Role.REQUESTER}),
    RequestAction.CLAIM: frozenset({Role.AGENT}),
    RequestAction.UNCLAIM: frozenset({Role.AGENT}),
    RequestAction.REASSIGN: frozenset({Role.AGENT}),
    RequestAction.RESOLVE: frozenset({Role.AGENT}),
    RequestAction.REOPEN: frozenset({Role.REQUESTER}),
    RequestAction.CANCEL: frozenset({Role.REQUESTER}),
    RequestAction.WAIT: frozenset({Role.AGENT}),
    # The requester's reply, or an agent who no longer waits for one.
    RequestAction.RESUME: frozenset({Role.REQUESTER, Role.AGENT}),
    RequestAction.CLOSE_UNANSWERED: frozenset({Role.DESK}),
}

# Actions that give the request an owner; the first of them is the first response.
ASSIGNING_ACTIONS = frozenset({RequestAction.CLAIM, RequestAction.REASSIGN})
# Actions that answer the requester: the first of these, or of the assigning ones, is the
# first response.
ANSWERING_ACTIONS = ASSIGNING_ACTIONS | {RequestAction.RESOLVE, RequestAction.WAIT}


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
    allowed = ACTION_ROLES[action]
    if not allowed & roles:
        if Role.AGENT in allowed:
            return TransitionDecision(False, reason="only the department's agents can do that")
        if Role.REQUESTER in allowed:
            return TransitionDecision(
                False, reason="only the person who filed the request can do that"
            )
        return TransitionDecision(False, reason="only pulsedesk itself does that")
    target = next_status(status, action)
    if target is None:
        return TransitionDecision(False, reason=f"the request is {status.value}")
    return TransitionDecision(True, to_status=target)


def resumed_status(assignee_id: str | None) -> RequestStatus:
    """Where a request goes when it stops waiting: back to whoever had it."""
    return RequestStatus.CLAIMED if assignee_id else RequestStatus.OPEN


def is_open(status: RequestStatus) -> bool:
    return status in OPEN_STATUSES


class Urgency(StrEnum):
    NORMAL = "normal"
    HIGH = "high"


@dataclass(frozen=True)
class MessageSource:
    """The Slack message a request was filed from."""

    channel_id: str
    ts: str
    permalink: str | None = None


@dataclass(frozen=True)
class DepartmentSnapshot:
    id: int
    key: str
    name: str
    channel_id: str
    agents: tuple[str, ...]
    leads: tuple[str, ...]
    aliases: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    # When the department works; None: it counts every minute.
    calendar: BusinessCalendar | None = None
    # What it promises; None: no times.
    service_levels: ServiceLevels | None = None
    # The questions its form asks after the description.
    fields: tuple[FieldDefinition, ...] = ()
    # Waiting on a requester: when they are nudged, and when the request is closed; None:
    # never. Durations like `3d`, in the department's working time.
    stale_after: str | None = None
    auto_close_after: str | None = None
    # Its requests are private (HR, payroll): see RequestSnapshot.private.
    private: bool = False
    # A reaction that files the message it is on with this department.
    request_emoji: str | None = None
    # Its channel gets the weekly department report.
    weekly_report: bool = True


@dataclass(frozen=True)
class RequestSnapshot:
    id: int
    team_id: str
    department: DepartmentSnapshot
    requester_id: str
    text: str
    urgency: Urgency
    status: RequestStatus
    assignee_id: str | None
    created_at: datetime
    resolved_at: datetime | None
    closed_by_id: str | None
    card_channel_id: str | None
    card_ts: str | None
    version: int = 1
    # The requester's current rating (1-5), None when unrated or withdrawn.
    rating: int | None = None
    first_response_at: datetime | None = None
    # Fixed when filed from the department's service levels; None where it promised nothing.
    first_response_due_at: datetime | None = None
    resolution_due_at: datetime | None = None
    # The thread of the app's DM with the requester that carries the conversation.
    conversation_channel_id: str | None = None
    conversation_ts: str | None = None
    # Its text and answers are for its requester and the department's agents only: anywhere
    # else it is named by its reference alone.
    private: bool = False
    # The message it was filed from, if any, and who filed it for its author.
    source: MessageSource | None = None
    filed_by_id: str | None = None
    # Since when it waits on its requester; the working time its waits have taken so far.
    waiting_since: datetime | None = None
    sla_paused: timedelta = timedelta()
    # The answers to the department's questions, as they were asked when it was filed.
    answers: tuple[Answer, ...] = ()

    @property
    def reference(self) -> str:
        return f"REQ-{self.id}"

    @property
    def closed_unanswered(self) -> bool:
        """Resolved by the desk itself, the requester having left its question unanswered."""
        return self.status is RequestStatus.RESOLVED and self.closed_by_id == DESK_ACTOR

    @property
    def own_summary(self) -> str:
        """Its first line, short enough for a title, for its requester and agents; not
        escaped."""
        return first_line(self.text, SUMMARY_MAX) or "(no description)"

    @property
    def summary(self) -> str:
        """What names it where others may read: its first line, or for a private request
        only that it is one."""
        return PRIVATE_SUMMARY if self.private else self.own_summary


@dataclass(frozen=True)
class Queue:
    """A department's open requests as its agents work them: unclaimed first, then the
    oldest; `total` counts them all."""

    requests: list[RequestSnapshot]
    total: int


def explain_state(request: RequestSnapshot) -> str:
    """Why an action no longer applies, from the request's current state."""
    if request.status is RequestStatus.CLAIMED and request.assignee_id:
        return f"{request.reference} is already claimed by {user_mention(request.assignee_id)}."
    if request.status is RequestStatus.RESOLVED:
        return f"{request.reference} is already resolved."
    if request.status is RequestStatus.CANCELLED:
        return f"{request.reference} was cancelled by the requester."
    return f"{request.reference} is {request.status.value}."


class Subcommand(StrEnum):
    FILE = "file"
    MINE = "mine"
    HELP = "help"


SUBCOMMAND_WORDS: dict[str, Subcommand] = {
    "mine": Subcommand.MINE,
    "list": Subcommand.MINE,
    "help": Subcommand.HELP,
    "?": Subcommand.HELP,
}

RESERVED_WORDS = frozenset(SUBCOMMAND_WORDS)


@dataclass(frozen=True)
class RoutableDepartment:
    key: str
    aliases: Sequence[str]
    keywords: Sequence[str]


@dataclass(frozen=True)
class ParsedCommand:
    subcommand: Subcommand
    department_key: str | None = None
    text: str = ""


@dataclass(frozen=True)
class KeywordRoute:
    """The keyword winner, or none when nothing matched or the best score is shared."""

    department_key: str | None
    scores: dict[str, int]


def parse_command(text: str, departments: Sequence[RoutableDepartment]) -> ParsedCommand:
    stripped = text.strip()
    if not stripped:
        return ParsedCommand(Subcommand.FILE)
    first, *remainder = stripped.split(maxsplit=1)
    rest = remainder[0] if remainder else ""
    word = first.lower()
    if word in SUBCOMMAND_WORDS and not rest.strip():
        return ParsedCommand(SUBCOMMAND_WORDS[word])
    for department in departments:
        if word == department.key or word in department.aliases:
            return ParsedCommand(Subcommand.FILE, department.key, rest.strip())
    return ParsedCommand(Subcommand.FILE, None, stripped)


def _keyword_pattern(keyword: str) -> re.Pattern[str]:
    words = (re.escape(part) for part in keyword.split())
    return re.compile(r"(?<!\w)" + r"\s+".join(words) + r"(?!\w)", re.IGNORECASE)


def score_keywords(text: str, keywords: Sequence[str]) -> int:
    """How many times any of the keywords occurs as whole words in the text."""
    return sum(len(_keyword_pattern(keyword).findall(text)) for keyword in keywords if keyword)


def route_by_keywords(text: str, departments: Sequence[RoutableDepartment]) -> KeywordRoute:
    scores = {d.key: score_keywords(text, d.keywords) for d in departments}
    best = max(scores.values(), default=0)
    winners = [key for key, score in scores.items() if score == best]
    if best == 0 or len(winners) != 1:
        return KeywordRoute(None, scores)
    return KeywordRoute(winners[0], scores)


class FilingKind(StrEnum):
    FILE = "file"
    ASK_IN_MODAL = "ask_in_modal"
    ASK_FOR_KEY = "ask_for_key"
    # The department's form asks more, and the text does not fit in it: asked to shorten it.
    SHORTEN_FOR_FORM = "shorten_for_form"


@dataclass(frozen=True)
class FilingDecision:
    kind: FilingKind
    department_key: str | None
    text: str


def decide_filing(
    command: ParsedCommand,
    keyword_route: KeywordRoute | None,
    *,
    modal_text_max: int,
    needs_form: frozenset[str] = frozenset(),
) -> FilingDecision:
    """File straight away when both department and text are known, else ask in a modal.
    A department in `needs_form` has questions text alone cannot answer: its form is opened,
    with the text in it.

    Text longer than the modal's input can hold is never squeezed into it: the user is asked
    to name the department instead (or, when its form must be used, to shorten the text), so
    nothing they wrote is cut.
    """
    key = command.department_key
    if key is None and keyword_route is not None:
        key = keyword_route.department_key
    if key is not None and command.text and key not in needs_form:
        return FilingDecision(FilingKind.FILE, key, command.text)
    if len(command.text) > modal_text_max:
        kind = FilingKind.ASK_FOR_KEY if key is None else FilingKind.SHORTEN_FOR_FORM
        return FilingDecision(kind, key, command.text)
    return FilingDecision(FilingKind.ASK_IN_MODAL, key, command.text)
