"""Waiting on the requester: when a request began waiting, the working time its waits took, and
each department's nudge and closing delays.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("requests") as batch:
        batch.add_column(sa.Column("waiting_since", sa.DateTime(timezone=True)))
        batch.add_column(
            sa.Column("paused_seconds", sa.Integer(), nullable=False, server_default="0")
        )
    with op.batch_alter_table("departments") as batch:
        batch.add_column(sa.Column("stale_after", sa.String(16), nullable=True))
        batch.add_column(sa.Column("auto_close_after", sa.String(16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("departments") as batch:
        batch.drop_column("auto_close_after")
        batch.drop_column("stale_after")
    with op.batch_alter_table("requests") as batch:
        batch.drop_column("paused_seconds")
        batch.drop_column("waiting_since")
