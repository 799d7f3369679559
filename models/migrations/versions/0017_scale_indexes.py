"""Indexes for reports and App Home on a large database: requests by the time they were filed
and resolved, open requests by department, ratings by their last change, and the weekly
answers a report counts, read from the index alone.

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-30
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WEEKLY_RESULTS = ["week", "team_id", "department_id", "kind", "area", "score"]


def upgrade() -> None:
    op.create_index("ix_requests_created_at", "requests", ["created_at"])
    op.create_index("ix_requests_resolved_at", "requests", ["resolved_at"])
    op.create_index("ix_requests_status", "requests", ["status"])
    op.create_index("ix_requests_department_id_status", "requests", ["department_id", "status"])
    op.create_index("ix_ratings_updated_at", "ratings", ["updated_at"])
    op.create_index("ix_weekly_answers_results", "weekly_answers", WEEKLY_RESULTS)


def downgrade() -> None:
    op.drop_index("ix_weekly_answers_results", table_name="weekly_answers")
    op.drop_index("ix_ratings_updated_at", table_name="ratings")
    op.drop_index("ix_requests_department_id_status", table_name="requests")
    op.drop_index("ix_requests_status", table_name="requests")
    op.drop_index("ix_requests_resolved_at", table_name="requests")
    op.drop_index("ix_requests_created_at", table_name="requests")
