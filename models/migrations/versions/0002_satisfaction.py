"""Satisfaction after resolution: durable jobs, pulses, ratings, people and event dedupe.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("unique_key", sa.String(length=255), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("claim_token", sa.String(length=32), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jobs")),
        sa.UniqueConstraint("unique_key", name=op.f("uq_jobs_unique_key")),
    )
    op.create_index("ix_jobs_state_due_at", "jobs", ["state", "due_at"], unique=False)

    op.create_table(
        "people",
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=True),
        sa.Column("timezone_fetched_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_satisfaction_pulse_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("team_id", "user_id", name=op.f("pk_people")),
    )
    op.create_table(
        "processed_events",
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("team_id", "event_id", name=op.f("pk_processed_events")),
    )
    op.create_index(
        op.f("ix_processed_events_received_at"), "processed_events", ["received_at"], unique=False
    )

    op.create_table(
        "ratings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("requester_id", sa.String(length=32), nullable=False),
        sa.Column("score", sa.Integer(), nullable=True),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("reaction", sa.String(length=100), nullable=True),
        sa.Column("reaction_event_ts", sa.String(length=32), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("rated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["request_id"], ["requests.id"], name=op.f("fk_ratings_request_id_requests")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ratings")),
        sa.UniqueConstraint("request_id", name=op.f("uq_ratings_request_id")),
    )
    op.create_index(op.f("ix_ratings_rated_at"), "ratings", ["rated_at"], unique=False)

    op.create_table(
        "satisfaction_pulses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("requester_id", sa.String(length=32), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("skip_reason", sa.String(length=32), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("cooldown_reserved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closes_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["request_id"], ["requests.id"], name=op.f("fk_satisfaction_pulses_request_id_requests")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_satisfaction_pulses")),
    )
    op.create_index(
        "ix_satisfaction_pulses_request_id", "satisfaction_pulses", ["request_id"], unique=False
    )
    op.create_index(
        "ix_satisfaction_pulses_team_id_requester_id",
        "satisfaction_pulses",
        ["team_id", "requester_id"],
        unique=False,
    )

    op.create_table(
        "survey_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("pulse_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("channel_id", sa.String(length=32), nullable=False),
        sa.Column("ts", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["pulse_id"],
            ["satisfaction_pulses.id"],
            name=op.f("fk_survey_messages_pulse_id_satisfaction_pulses"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_messages")),
        sa.UniqueConstraint("channel_id", "ts", name=op.f("uq_survey_messages_channel_id_ts")),
    )
    op.create_index(
        op.f("ix_survey_messages_pulse_id"), "survey_messages", ["pulse_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_survey_messages_pulse_id"), table_name="survey_messages")

    op.drop_table("survey_messages")
    op.drop_index("ix_satisfaction_pulses_team_id_requester_id", table_name="satisfaction_pulses")
    op.drop_index("ix_satisfaction_pulses_request_id", table_name="satisfaction_pulses")

    op.drop_table("satisfaction_pulses")
    op.drop_index(op.f("ix_ratings_rated_at"), table_name="ratings")

    op.drop_table("ratings")
    op.drop_index(op.f("ix_processed_events_received_at"), table_name="processed_events")

    op.drop_table("processed_events")
    op.drop_table("people")
    op.drop_index("ix_jobs_state_due_at", table_name="jobs")

    op.drop_table("jobs")
