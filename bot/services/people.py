"""What the bot remembers about people: cached time zones and survey cooldowns."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import or_, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from models import Person

TIMEZONE_CACHE_TTL = timedelta(days=1)


def _ensure_person(session: Session, team_id: str, user_id: str) -> Person:
    person = session.get(Person, (team_id, user_id))
    if person is not None:
        return person
    try:
        with session.begin_nested():
            person = Person(team_id=team_id, user_id=user_id)
            session.add(person)
            session.flush()
    except IntegrityError:
        person = session.get(Person, (team_id, user_id))
        if person is None:
            raise
    return person


def cached_timezone(
    *, session: Session, team_id: str, user_id: str, now: datetime
) -> tuple[bool, str | None]:
    """(fresh, time zone): fresh is False when Slack should be asked again."""
    person = session.get(Person, (team_id, user_id))
    if person is None or person.timezone_fetched_at is None:
        return False, None
    return now - person.timezone_fetched_at < TIMEZONE_CACHE_TTL, person.timezone


def store_timezone(
    *, session: Session, team_id: str, user_id: str, timezone: str | None, now: datetime
) -> None:
    person = _ensure_person(session, team_id, user_id)
    person.timezone = timezone
    person.timezone_fetched_at = now
    session.flush()


def last_satisfaction_pulse_at(*, session: Session, team_id: str, user_id: str) -> datetime | None:
    person = session.get(Person, (team_id, user_id))
    return person.last_satisfaction_pulse_at if person is not None else None


def reserve_satisfaction_pulse(
    *, session: Session, team_id: str, user_id: str, now: datetime, cooldown: timedelta
) -> bool:
    """Take this person's one pulse per cooldown, atomically: of two pulses due at the same
    moment on different workers, exactly one gets True."""
    _ensure_person(session, team_id, user_id)
    result = session.execute(
        update(Person)
        .where(
            Person.team_id == team_id,
            Person.user_id == user_id,
            or_(
                Person.last_satisfaction_pulse_at.is_(None),
                Person.last_satisfaction_pulse_at <= now - cooldown,
            ),
        )
        .values(last_satisfaction_pulse_at=now)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]
