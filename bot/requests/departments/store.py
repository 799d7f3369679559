"""The departments on the caller's session: made to match the departments file, and read back
as the snapshots every feature works with."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.business_time import BusinessCalendar
from bot.departments import DepartmentConfig
from bot.errors import NotFound
from bot.forms.rules import FieldDefinition
from bot.requests.rules import DepartmentSnapshot
from bot.service_levels.rules import ServiceLevels
from bot.text import escape
from models import Department


@dataclass(frozen=True)
class DepartmentSync:
    added: int
    updated: int
    deactivated: int


def department_snapshot(department: Department) -> DepartmentSnapshot:
    return DepartmentSnapshot(
        id=department.id,
        key=department.key,
        name=department.name,
        channel_id=department.channel_id,
        agents=tuple(department.agents),
        leads=tuple(department.leads),
        aliases=tuple(department.aliases),
        keywords=tuple(department.keywords),
        calendar=BusinessCalendar.parse(**department.calendar) if department.calendar else None,
        service_levels=ServiceLevels.from_stored(department.sla),
        fields=tuple(FieldDefinition.from_stored(stored) for stored in department.fields or ()),
        stale_after=department.stale_after,
        auto_close_after=department.auto_close_after,
        private=department.private,
        request_emoji=department.request_emoji,
        weekly_report=department.weekly_report,
    )


def sync_departments(
    *, session: Session, team_id: str, configs: Sequence[DepartmentConfig], now: datetime
) -> DepartmentSync:
    """Make the team's departments match the file; ones no longer listed are kept, inactive."""
    existing = {
        d.key: d for d in session.scalars(select(Department).where(Department.team_id == team_id))
    }
    added = updated = 0
    for config in configs:
        values = {
            "name": config.name,
            "channel_id": config.channel,
            "keywords": list(config.keywords),
            "aliases": list(config.aliases),
            "agents": list(config.agents),
            "leads": list(config.leads),
            "calendar": config.calendar.model_dump() if config.calendar else None,
            "sla": config.sla.model_dump() if config.sla else None,
            "fields": [question.definition().stored() for question in config.fields],
            "stale_after": config.stale_after,
            "private": config.private,
            "request_emoji": config.request_emoji,
            "weekly_report": config.weekly_report,
            "auto_close_after": config.auto_close_after,
            "active": True,
        }
        department = existing.pop(config.key, None)
        if department is None:
            session.add(
                Department(
                    team_id=team_id, key=config.key, created_at=now, updated_at=now, **values
                )
            )
            added += 1
        elif any(getattr(department, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(department, name, value)
            department.updated_at = now
            updated += 1
    deactivated = 0
    for department in existing.values():
        if department.active:
            department.active = False
            department.updated_at = now
            deactivated += 1
    session.flush()
    return DepartmentSync(added=added, updated=updated, deactivated=deactivated)


def active_departments(session: Session, team_id: str) -> list[Department]:
    return list(
        session.scalars(
            select(Department)
            .where(Department.team_id == team_id, Department.active.is_(True))
            .order_by(Department.name)
        )
    )


def list_departments(*, session: Session, team_id: str) -> list[DepartmentSnapshot]:
    return [department_snapshot(d) for d in active_departments(session, team_id)]


def unknown_department(session: Session, team_id: str, key: str) -> NotFound:
    keys = ", ".join(f"`{d.key}`" for d in active_departments(session, team_id))
    return NotFound(
        f"There is no department `{escape(key)}`. "
        + (f"Try one of {keys}, or `/request help`." if keys else "No departments are set up yet.")
    )
