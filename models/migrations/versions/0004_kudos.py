"""Kudos: shout-outs, the kudos they give, and what is cached of people's profiles.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "kudos_shoutouts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("giver_id", sa.String(length=32), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("value", sa.String(length=32), nullable=True),
        sa.Column("request_id", sa.Integer(), nullable=True),
        sa.Column("idempotency_key", sa.String(length=128), nullable=False),
        sa.Column("post_claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("channel_id", sa.String(length=32), nullable=True),
        sa.Column("ts", sa.String(length=32), nullable=True),
        sa.Column("permalink", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("posted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["requests.id"],
            name=op.f("fk_kudos_shoutouts_request_id_requests"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kudos_shoutouts")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_kudos_shoutouts_idempotency_key")),
    )
    op.create_table(
        "kudos",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("giver_id", sa.String(length=32), nullable=False),
        sa.Column("recipient_id", sa.String(length=32), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("given_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("shoutout_id", sa.Integer(), nullable=True),
        sa.Column("department_id", sa.Integer(), nullable=True),
        sa.Column("notified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reaction_channel_id", sa.String(length=32), nullable=True),
        sa.Column("reaction_ts", sa.String(length=32), nullable=True),
        sa.Column("reaction_event_ts", sa.String(length=32), nullable=True),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("announced_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["departments.id"],
            name=op.f("fk_kudos_department_id_departments"),
        ),
        sa.ForeignKeyConstraint(
            ["shoutout_id"],
            ["kudos_shoutouts.id"],
            name=op.f("fk_kudos_shoutout_id_kudos_shoutouts"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kudos")),
        sa.UniqueConstraint(
            "team_id",
            "giver_id",
            "reaction_channel_id",
            "reaction_ts",
            name=op.f("uq_kudos_team_id_giver_id_reaction_channel_id_reaction_ts"),
        ),
    )
    op.create_index("ix_kudos_shoutout_id", "kudos", ["shoutout_id"], unique=False)
    op.create_index("ix_kudos_team_id_given_at", "kudos", ["team_id", "given_at"], unique=False)
    op.create_index(
        "ix_kudos_team_id_giver_id_given_at",
        "kudos",
        ["team_id", "giver_id", "given_at"],
        unique=False,
    )
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.add_column(sa.Column("display_name", sa.String(length=255), nullable=True))
        batch_op.add_column(
            sa.Column("is_bot", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(
            sa.Column("deactivated", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.drop_column("deactivated")
        batch_op.drop_column("is_bot")
        batch_op.drop_column("display_name")

    op.drop_index("ix_kudos_team_id_giver_id_given_at", table_name="kudos")
    op.drop_index("ix_kudos_team_id_given_at", table_name="kudos")
    op.drop_index("ix_kudos_shoutout_id", table_name="kudos")
    op.drop_table("kudos")
    op.drop_table("kudos_shoutouts")
