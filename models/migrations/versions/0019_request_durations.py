"""How long each request's first response and resolution took, in calendar time and in its
department's working time, kept on the request so that reports and App Home read them rather
than work them out again for every request. Requests answered or resolved before this revision
get them here, counted as reports counted them: by their department's calendar. Each rating
keeps its request's department, and indexes count some departments' resolved requests and
scores over a window from the index alone.

Revision ID: 0019
Revises: 0018
Create Date: 2026-11-30
"""

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from alembic import op

from bot.business_time import BusinessCalendar, Calendar
from bot.service_levels.rules import elapsed

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DURATIONS = (
    "first_response_seconds",
    "first_response_business_seconds",
    "resolution_seconds",
    "resolution_business_seconds",
)
# Requests read and written at a time: a million take about a minute.
BATCH = 5000

departments = sa.table("departments", sa.column("id", sa.Integer), sa.column("calendar", sa.JSON))
requests = sa.table(
    "requests",
    sa.column("id", sa.Integer),
    sa.column("department_id", sa.Integer),
    sa.column("created_at", sa.DateTime(timezone=True)),
    sa.column("first_response_at", sa.DateTime(timezone=True)),
    sa.column("resolved_at", sa.DateTime(timezone=True)),
    sa.column("paused_seconds", sa.Integer),
    *(sa.column(name, sa.Float) for name in DURATIONS),
)


def upgrade() -> None:
    with op.batch_alter_table("requests") as batch:
        for name in DURATIONS:
            batch.add_column(sa.Column(name, sa.Float(), nullable=True))
    _fill(op.get_bind())
    op.create_index(
        "ix_requests_department_id_resolved_at", "requests", ["department_id", "resolved_at"]
    )
    with op.batch_alter_table("ratings") as batch:
        batch.add_column(sa.Column("department_id", sa.Integer(), nullable=True))
    op.execute(
        "UPDATE ratings SET department_id = "
        "(SELECT requests.department_id FROM requests WHERE requests.id = ratings.request_id)"
    )
    with op.batch_alter_table("ratings") as batch:
        batch.alter_column("department_id", existing_type=sa.Integer(), nullable=False)
        batch.create_foreign_key(
            "fk_ratings_department_id_departments", "departments", ["department_id"], ["id"]
        )
    op.create_index(
        "ix_ratings_department_id_rated_at_score",
        "ratings",
        ["department_id", "rated_at", "score"],
    )


def downgrade() -> None:
    op.drop_index("ix_ratings_department_id_rated_at_score", table_name="ratings")
    with op.batch_alter_table("ratings") as batch:
        batch.drop_constraint("fk_ratings_department_id_departments", type_="foreignkey")
        batch.drop_column("department_id")
    op.drop_index("ix_requests_department_id_resolved_at", table_name="requests")
    with op.batch_alter_table("requests") as batch:
        for name in reversed(DURATIONS):
            batch.drop_column(name)


def _utc(moment: datetime | None) -> datetime | None:
    """SQLite gives back the UTC moments it keeps without their offset."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


def _fill(connection: sa.Connection) -> None:
    calendars: dict[int, Calendar] = {
        department_id: BusinessCalendar.parse(**stored)
        for department_id, stored in connection.execute(
            sa.select(departments.c.id, departments.c.calendar)
        )
        if stored
    }
    update = (
        sa.update(requests)
        .where(requests.c.id == sa.bindparam("row_id"))
        .values({name: sa.bindparam(f"new_{name}") for name in DURATIONS})
    )
    last = 0
    while True:
        rows = connection.execute(
            sa.select(
                requests.c.id,
                requests.c.department_id,
                requests.c.created_at,
                requests.c.first_response_at,
                requests.c.resolved_at,
                requests.c.paused_seconds,
            )
            .where(
                requests.c.id > last,
                sa.or_(
                    requests.c.first_response_at.is_not(None), requests.c.resolved_at.is_not(None)
                ),
            )
            .order_by(requests.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return
        connection.execute(update, [_durations(row, calendars) for row in rows])
        last = rows[-1].id


def _durations(row: Any, calendars: dict[int, Calendar]) -> dict[str, Any]:
    calendar = calendars.get(row.department_id)
    filed_at = _utc(row.created_at)
    assert filed_at is not None
    values: dict[str, Any] = {"row_id": row.id, **{f"new_{name}": None for name in DURATIONS}}
    first_response_at = _utc(row.first_response_at)
    if first_response_at is not None:
        took = elapsed(filed_at=filed_at, until=first_response_at, calendar=calendar)
        values["new_first_response_seconds"] = took.seconds
        values["new_first_response_business_seconds"] = took.business_seconds
    resolved_at = _utc(row.resolved_at)
    if resolved_at is not None:
        took = elapsed(
            filed_at=filed_at,
            until=resolved_at,
            calendar=calendar,
            paused=timedelta(seconds=row.paused_seconds or 0),
        )
        values["new_resolution_seconds"] = took.seconds
        values["new_resolution_business_seconds"] = took.business_seconds
    return values
