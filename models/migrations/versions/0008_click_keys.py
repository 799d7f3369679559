"""A lifecycle click's key on its event, so a click run again after a crash applies once.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("request_events") as batch:
        batch.add_column(sa.Column("idempotency_key", sa.String(length=255), nullable=True))
        batch.create_unique_constraint("uq_request_events_idempotency_key", ["idempotency_key"])


def downgrade() -> None:
    with op.batch_alter_table("request_events") as batch:
        batch.drop_constraint("uq_request_events_idempotency_key", type_="unique")
        batch.drop_column("idempotency_key")
