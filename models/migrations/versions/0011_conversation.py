"""The conversation in one thread: the requester's DM thread of each request, and the messages
relayed between it and the card's thread.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("requests") as batch:
        batch.add_column(sa.Column("conversation_channel_id", sa.String(32)))
        batch.add_column(sa.Column("conversation_ts", sa.String(32)))
        batch.create_index("ix_requests_card_channel_id_card_ts", ["card_channel_id", "card_ts"])
        batch.create_index(
            "ix_requests_conversation_channel_id_conversation_ts",
            ["conversation_channel_id", "conversation_ts"],
        )
    op.create_table(
        "relayed_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(32), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("source_channel", sa.String(32), nullable=False),
        sa.Column("source_ts", sa.String(32), nullable=False),
        sa.Column("author_id", sa.String(32), nullable=False),
        sa.Column("target_channel", sa.String(32), nullable=False),
        sa.Column("target_ts", sa.String(32), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["requests.id"],
            name="fk_relayed_messages_request_id_requests",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_relayed_messages"),
        sa.UniqueConstraint(
            "source_channel", "source_ts", name="uq_relayed_messages_source_channel_source_ts"
        ),
    )
    op.create_index("ix_relayed_messages_request_id", "relayed_messages", ["request_id"])


def downgrade() -> None:
    op.drop_index("ix_relayed_messages_request_id", table_name="relayed_messages")
    op.drop_table("relayed_messages")
    with op.batch_alter_table("requests") as batch:
        batch.drop_index("ix_requests_conversation_channel_id_conversation_ts")
        batch.drop_index("ix_requests_card_channel_id_card_ts")
        batch.drop_column("conversation_ts")
        batch.drop_column("conversation_channel_id")
