"""Requests from any message: the message a request was filed from, who filed it for its author,
and a department's own reaction that files one.

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("departments") as batch:
        batch.add_column(sa.Column("request_emoji", sa.String(100), nullable=True))
    with op.batch_alter_table("requests") as batch:
        batch.add_column(sa.Column("source_channel_id", sa.String(32)))
        batch.add_column(sa.Column("source_ts", sa.String(32)))
        batch.add_column(sa.Column("source_permalink", sa.String(500)))
        batch.add_column(sa.Column("filed_by_id", sa.String(32)))


def downgrade() -> None:
    with op.batch_alter_table("requests") as batch:
        batch.drop_column("filed_by_id")
        batch.drop_column("source_permalink")
        batch.drop_column("source_ts")
        batch.drop_column("source_channel_id")
    with op.batch_alter_table("departments") as batch:
        batch.drop_column("request_emoji")
