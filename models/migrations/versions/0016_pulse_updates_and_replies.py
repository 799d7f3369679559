"""The weekly pulse answered back: what a department's lead shares it is doing about its
results, and a sealed reply token on the comments whose writers let the team reply.

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "weekly_shared_updates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("author_id", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("idempotency_key", sa.String(length=64), nullable=False),
        sa.Column("result_week", sa.String(length=8), nullable=True),
        sa.Column("result_metric", sa.String(length=32), nullable=True),
        sa.Column("result_score", sa.Float(), nullable=True),
        sa.Column("result_responses", sa.Integer(), nullable=True),
        sa.Column("shown_week", sa.String(length=8), nullable=True),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["departments.id"],
            name="fk_weekly_shared_updates_department_id_departments",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_weekly_shared_updates"),
        sa.UniqueConstraint(
            "team_id",
            "idempotency_key",
            name="uq_weekly_shared_updates_team_id_idempotency_key",
        ),
    )
    op.create_index(
        "ix_weekly_shared_updates_team_id_shown_week",
        "weekly_shared_updates",
        ["team_id", "shown_week"],
    )
    op.create_index(
        "ix_weekly_shared_updates_department_id_created_at",
        "weekly_shared_updates",
        ["department_id", "created_at"],
    )
    for table in ("weekly_pending_comments", "weekly_comments"):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("reply_token", sa.Text(), nullable=True))


def downgrade() -> None:
    for table in ("weekly_comments", "weekly_pending_comments"):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("reply_token")
    op.drop_index(
        "ix_weekly_shared_updates_department_id_created_at", table_name="weekly_shared_updates"
    )
    op.drop_index("ix_weekly_shared_updates_team_id_shown_week", table_name="weekly_shared_updates")
    op.drop_table("weekly_shared_updates")
