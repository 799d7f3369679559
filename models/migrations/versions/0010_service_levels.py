"""Service levels: a department's targets, and each request's due times fixed when filed.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("departments") as batch:
        batch.add_column(sa.Column("sla", sa.JSON(), nullable=True))
    with op.batch_alter_table("requests") as batch:
        batch.add_column(sa.Column("first_response_due_at", sa.DateTime(timezone=True)))
        batch.add_column(sa.Column("resolution_due_at", sa.DateTime(timezone=True)))


def downgrade() -> None:
    with op.batch_alter_table("requests") as batch:
        batch.drop_column("resolution_due_at")
        batch.drop_column("first_response_due_at")
    with op.batch_alter_table("departments") as batch:
        batch.drop_column("sla")
