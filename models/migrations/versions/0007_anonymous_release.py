"""Weekly answers and comments wait in pending tables and are released in shuffled batches;
the anonymous tables keep no row order (WITHOUT ROWID on SQLite).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ANSWER_COLUMNS = "id, team_id, week, department_id, kind, area, score"
COMMENT_COLUMNS = "id, team_id, week, department_id, text"


def _rebuild_without_rowid(table: str, create: str, columns: str) -> None:
    """SQLite cannot alter a table to WITHOUT ROWID: build the new one and move the rows."""
    op.execute(f"CREATE TABLE {table}_new ({create}) WITHOUT ROWID")
    op.execute(f"INSERT INTO {table}_new ({columns}) SELECT {columns} FROM {table}")
    op.execute(f"DROP TABLE {table}")
    op.execute(f"ALTER TABLE {table}_new RENAME TO {table}")
    op.execute(f"CREATE INDEX ix_{table}_team_id_week ON {table} (team_id, week)")


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        _rebuild_without_rowid(
            "weekly_answers",
            "id VARCHAR(32) NOT NULL, team_id VARCHAR(32) NOT NULL, week VARCHAR(8) NOT NULL, "
            "department_id INTEGER, kind VARCHAR(16) NOT NULL, area VARCHAR(32), "
            "score INTEGER NOT NULL, "
            "CONSTRAINT pk_weekly_answers PRIMARY KEY (id), "
            "CONSTRAINT fk_weekly_answers_department_id_departments "
            "FOREIGN KEY(department_id) REFERENCES departments (id)",
            ANSWER_COLUMNS,
        )
        _rebuild_without_rowid(
            "weekly_comments",
            "id VARCHAR(32) NOT NULL, team_id VARCHAR(32) NOT NULL, week VARCHAR(8) NOT NULL, "
            "department_id INTEGER, text TEXT NOT NULL, "
            "CONSTRAINT pk_weekly_comments PRIMARY KEY (id), "
            "CONSTRAINT fk_weekly_comments_department_id_departments "
            "FOREIGN KEY(department_id) REFERENCES departments (id)",
            COMMENT_COLUMNS,
        )
    without_rowid = {"sqlite_with_rowid": False} if sqlite else {}
    op.create_table(
        "weekly_pending_answers",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("week", sa.String(length=8), nullable=False),
        sa.Column("delivery_id", sa.Integer(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("area", sa.String(length=32), nullable=True),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["delivery_id"],
            ["weekly_deliveries.id"],
            name="fk_weekly_pending_answers_delivery_id_weekly_deliveries",
        ),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["departments.id"],
            name="fk_weekly_pending_answers_department_id_departments",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_weekly_pending_answers"),
        **without_rowid,
    )
    op.create_index(
        "ix_weekly_pending_answers_team_id_week", "weekly_pending_answers", ["team_id", "week"]
    )
    op.create_table(
        "weekly_pending_comments",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("week", sa.String(length=8), nullable=False),
        sa.Column("delivery_id", sa.Integer(), nullable=False),
        sa.Column("topic", sa.String(length=32), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["delivery_id"],
            ["weekly_deliveries.id"],
            name="fk_weekly_pending_comments_delivery_id_weekly_deliveries",
        ),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["departments.id"],
            name="fk_weekly_pending_comments_department_id_departments",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_weekly_pending_comments"),
        sa.UniqueConstraint(
            "delivery_id", "topic", name="uq_weekly_pending_comments_delivery_id_topic"
        ),
        **without_rowid,
    )
    op.create_index(
        "ix_weekly_pending_comments_team_id_week", "weekly_pending_comments", ["team_id", "week"]
    )


def downgrade() -> None:
    op.drop_index("ix_weekly_pending_comments_team_id_week", table_name="weekly_pending_comments")
    op.drop_table("weekly_pending_comments")
    op.drop_index("ix_weekly_pending_answers_team_id_week", table_name="weekly_pending_answers")
    op.drop_table("weekly_pending_answers")
