"""Indexes for reports of one workspace: its ratings and resolutions by time.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_ratings_team_id_rated_at", "ratings", ["team_id", "rated_at"])
    op.create_index("ix_requests_team_id_resolved_at", "requests", ["team_id", "resolved_at"])


def downgrade() -> None:
    op.drop_index("ix_requests_team_id_resolved_at", table_name="requests")
    op.drop_index("ix_ratings_team_id_rated_at", table_name="ratings")
