"""The weekly department report: which departments get it, and the charts it shared, which App
Home shows; who opens App Home, whose tab is kept up to date; and the index that finds the open
requests an agent holds.

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_requests_team_id_assignee_id_status",
        "requests",
        ["team_id", "assignee_id", "status"],
    )
    with op.batch_alter_table("people") as batch:
        batch.add_column(sa.Column("home_opened_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("departments") as batch:
        batch.add_column(
            sa.Column("weekly_report", sa.Boolean(), nullable=False, server_default=sa.true())
        )
    op.create_table(
        "shared_charts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("team_id", sa.String(32), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("week", sa.String(10), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=True),
        sa.Column("user_id", sa.String(32)),
        sa.Column("channel_id", sa.String(32), nullable=False),
        sa.Column("message_ts", sa.String(32), nullable=False),
        sa.Column("file_id", sa.String(32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["departments.id"],
            name="fk_shared_charts_department_id_departments",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_shared_charts"),
        sa.UniqueConstraint("key", name="uq_shared_charts_key"),
    )
    op.create_index(
        "ix_shared_charts_team_id_kind_week", "shared_charts", ["team_id", "kind", "week"]
    )


def downgrade() -> None:
    op.drop_index("ix_requests_team_id_assignee_id_status", table_name="requests")
    op.drop_index("ix_shared_charts_team_id_kind_week", table_name="shared_charts")
    op.drop_table("shared_charts")
    with op.batch_alter_table("departments") as batch:
        batch.drop_column("weekly_report")
    with op.batch_alter_table("people") as batch:
        batch.drop_column("home_opened_at")
