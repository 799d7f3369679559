"""What the bot remembers about people: cached profiles and survey cooldowns."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.db import compare_and_set
from bot.people.rules import KnownPerson
from models import Person


def ensure_person(session: Session, team_id: str, user_id: str) -> Person:
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


def known_person(*, session: Session, team_id: str, user_id: str) -> KnownPerson:
    person = session.get(Person, (team_id, user_id))
    if person is None:
        return KnownPerson(None, None, None)
    return KnownPerson(
        person.timezone,
        person.timezone_fetched_at,
        person.last_satisfaction_pulse_at,
        person.weekly_pulse_opted_out,
        person.display_name,
        bool(person.is_bot),
        bool(person.deactivated),
    )


def store_profile(
    *,
    session: Session,
    team_id: str,
    user_id: str,
    timezone: str | None,
    name: str | None,
    is_bot: bool,
    deactivated: bool,
    now: datetime,
) -> None:
    """What Slack said of a person, read at `now`."""
    person = ensure_person(session, team_id, user_id)
    person.timezone = timezone
    person.display_name = name[:255] if name else None
    person.is_bot = is_bot
    person.deactivated = deactivated
    person.timezone_fetched_at = now
    session.flush()


def lock_person(*, session: Session, team_id: str, user_id: str) -> None:
    """Hold this person's row until the transaction ends: what a giver's daily kudos are
    counted under, so two of their kudos at once cannot both take the last one."""
    ensure_person(session, team_id, user_id)
    session.execute(
        select(Person.user_id)
        .where(Person.team_id == team_id, Person.user_id == user_id)
        .with_for_update()
    )


def reserve_satisfaction_pulse(
    *, session: Session, team_id: str, user_id: str, now: datetime, cooldown: timedelta
) -> bool:
    """Take this person's one pulse per cooldown, atomically: of two pulses due at the same
    moment on different workers, exactly one gets True."""
    ensure_person(session, team_id, user_id)
    return compare_and_set(
        session,
        Person,
        Person.team_id == team_id,
        Person.user_id == user_id,
        or_(
            Person.last_satisfaction_pulse_at.is_(None),
            Person.last_satisfaction_pulse_at <= now - cooldown,
        ),
        last_satisfaction_pulse_at=now,
    )


def release_satisfaction_pulse(
    *, session: Session, team_id: str, user_id: str, reserved_at: datetime
) -> None:
    """Give back a cooldown taken by a pulse that never reached the person, unless a later
    pulse has taken it since. The slot was free when it was taken, so free is what it was."""
    compare_and_set(
        session,
        Person,
        Person.team_id == team_id,
        Person.user_id == user_id,
        Person.last_satisfaction_pulse_at == reserved_at,
        last_satisfaction_pulse_at=None,
    )


def set_weekly_pulse_opt_out(
    *, session: Session, team_id: str, user_id: str, opted_out: bool
) -> None:
    person = ensure_person(session, team_id, user_id)
    person.weekly_pulse_opted_out = opted_out
    session.flush()


def opted_out(*, session: Session, team_id: str) -> set[str]:
    return set(
        session.scalars(
            select(Person.user_id).where(
                Person.team_id == team_id, Person.weekly_pulse_opted_out.is_(True)
            )
        )
    )
