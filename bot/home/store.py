"""What App Home reads and keeps beyond the requests themselves: the open requests an agent
holds, and who looks at their Home, so that only their tabs are kept up to date."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from bot import jobs
from bot.home.rules import HomeJob, concerned, refresh_minute
from bot.people.store import ensure_person
from bot.requests.rules import OPEN_STATUSES, Queue, RequestSnapshot
from bot.requests.store import request_snapshot
from models import Person, Request

# Someone who has not opened Home for this long no longer has it redrawn in the background;
# opening it draws it afresh.
WATCHED_FOR = timedelta(days=30)


def claimed_requests(*, session: Session, team_id: str, assignee_id: str, limit: int) -> Queue:
    """The open requests this person holds, oldest first, and how many in all."""
    held = (
        Request.team_id == team_id,
        Request.assignee_id == assignee_id,
        Request.status.in_([status.value for status in OPEN_STATUSES]),
    )
    total = session.scalar(select(func.count()).select_from(Request).where(*held)) or 0
    rows = session.scalars(
        select(Request).where(*held).order_by(Request.created_at, Request.id).limit(limit)
    )
    return Queue([request_snapshot(row) for row in rows], int(total))


def note_home_opened(*, session: Session, team_id: str, user_id: str, now: datetime) -> None:
    ensure_person(session, team_id, user_id)
    session.execute(
        update(Person)
        .where(Person.team_id == team_id, Person.user_id == user_id)
        .values(home_opened_at=now)
    )


def remember_page(*, session: Session, team_id: str, user_id: str, page: int) -> None:
    ensure_person(session, team_id, user_id)
    session.execute(
        update(Person)
        .where(Person.team_id == team_id, Person.user_id == user_id)
        .values(home_page=page)
    )


def remembered_page(*, session: Session, team_id: str, user_id: str) -> int:
    """The page of departments this person last turned to; the first if none."""
    page = session.scalar(
        select(Person.home_page).where(Person.team_id == team_id, Person.user_id == user_id)
    )
    return page or 1


def watching_home(
    *, session: Session, team_id: str, user_ids: Collection[str], now: datetime
) -> list[str]:
    """Of these people, those who opened their Home lately."""
    if not user_ids:
        return []
    return list(
        session.scalars(
            select(Person.user_id)
            .where(
                Person.team_id == team_id,
                Person.user_id.in_(sorted(user_ids)),
                Person.home_opened_at >= now - WATCHED_FOR,
            )
            .order_by(Person.user_id)
        )
    )


def refresh_homes(
    *,
    session: Session,
    requests: Sequence[RequestSnapshot],
    now: datetime,
    also: Collection[str] = (),
) -> None:
    """In the transaction of a change to `requests`: one publish job per person it concerns
    (and those in `also`, the admins, who see every department) who looks at their Home,
    keyed by the minute, so every change within it shares one."""
    if not requests:
        return
    team_id = requests[0].team_id
    minute, due = refresh_minute(now)
    for user_id in watching_home(
        session=session, team_id=team_id, user_ids=concerned(requests) | set(also), now=now
    ):
        jobs.enqueue(
            session=session,
            team_id=team_id,
            kind=HomeJob.PUBLISH,
            unique_key=f"{HomeJob.PUBLISH}:{team_id}:{user_id}:{minute}",
            due_at=due,
            now=now,
            payload={"user_id": user_id},
        )
