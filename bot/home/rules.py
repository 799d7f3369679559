"""Keeping App Home up to date: whose Home a request's change touches, and the minute its
redraw is due. Pure."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import UTC, datetime
from enum import StrEnum

from bot.requests.rules import RequestSnapshot

# Changes within one minute are drawn by one publish at the minute's end, so a person's Home
# is published at most once a minute however busy their desk.
REFRESH_SECONDS = 60


class HomeJob(StrEnum):
    PUBLISH = "home.publish"


def concerned(requests: Sequence[RequestSnapshot]) -> set[str]:
    """Whose Home shows these requests (a request before and after a change): the
    requester, whoever had it or has it now, and its department's agents and leads."""
    people: set[str] = set()
    for request in requests:
        people.add(request.requester_id)
        if request.assignee_id:
            people.add(request.assignee_id)
        people.update(request.department.agents, request.department.leads)
    return people


def refresh_minute(now: datetime) -> tuple[int, datetime]:
    """The minute a change at `now` is drawn in (its number, the key of its jobs), and its end."""
    minute = math.floor(now.timestamp() / REFRESH_SECONDS) + 1
    return minute, datetime.fromtimestamp(minute * REFRESH_SECONDS, UTC)
