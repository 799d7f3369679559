"""The weekly pulse: rounds, deliveries, anonymous answers and comments, and opting out.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "weekly_rounds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("week", sa.String(length=8), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_weekly_rounds")),
        sa.UniqueConstraint("team_id", "week", name=op.f("uq_weekly_rounds_team_id_week")),
    )
    op.create_table(
        "weekly_answers",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("week", sa.String(length=8), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("area", sa.String(length=32), nullable=True),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["departments.id"],
            name=op.f("fk_weekly_answers_department_id_departments"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_weekly_answers")),
    )
    op.create_index(
        "ix_weekly_answers_team_id_week", "weekly_answers", ["team_id", "week"], unique=False
    )

    op.create_table(
        "weekly_comments",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("week", sa.String(length=8), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["departments.id"],
            name=op.f("fk_weekly_comments_department_id_departments"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_weekly_comments")),
    )
    op.create_index(
        "ix_weekly_comments_team_id_week", "weekly_comments", ["team_id", "week"], unique=False
    )
    op.create_table(
        "weekly_deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("questions", sa.JSON(), nullable=False),
        sa.Column("answered", sa.JSON(), nullable=False),
        sa.Column("channel_id", sa.String(length=32), nullable=True),
        sa.Column("ts", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["weekly_rounds.id"],
            name=op.f("fk_weekly_deliveries_round_id_weekly_rounds"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_weekly_deliveries")),
        sa.UniqueConstraint(
            "round_id", "user_id", name=op.f("uq_weekly_deliveries_round_id_user_id")
        ),
    )
    op.create_index(
        "ix_weekly_deliveries_state_due_at", "weekly_deliveries", ["state", "due_at"], unique=False
    )

    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "weekly_pulse_opted_out", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.drop_column("weekly_pulse_opted_out")

    op.drop_index("ix_weekly_deliveries_state_due_at", table_name="weekly_deliveries")

    op.drop_table("weekly_deliveries")
    op.drop_index("ix_weekly_comments_team_id_week", table_name="weekly_comments")
    op.drop_table("weekly_comments")
    op.drop_index("ix_weekly_answers_team_id_week", table_name="weekly_answers")

    op.drop_table("weekly_answers")
    op.drop_table("weekly_rounds")
