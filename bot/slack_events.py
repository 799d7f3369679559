"""Events API deliveries seen before: Slack retries a delivery it thinks failed, and Bolt
does not de-duplicate, so each event id is handled once."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from models import ProcessedEvent

# Slack's last retry comes about 5 minutes after the first delivery.
REMEMBER_EVENTS_FOR = timedelta(days=1)


def first_delivery(*, session: Session, team_id: str, event_id: str, now: datetime) -> bool:
    """Record the event id; False if it was recorded before (this delivery is a repeat)."""
    try:
        with session.begin_nested():
            session.add(ProcessedEvent(team_id=team_id, event_id=event_id, received_at=now))
            session.flush()
    except IntegrityError:
        return False
    return True


def forget_old_events(*, session: Session, now: datetime) -> int:
    result = session.execute(
        delete(ProcessedEvent).where(ProcessedEvent.received_at < now - REMEMBER_EVENTS_FOR)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]
