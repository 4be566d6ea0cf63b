"""Conversation references: where a channel adapter (Teams) can send without being spoken to
first, kept when the app is installed in a conversation or first spoken to there.

Revision ID: 0013
Revises: 0012
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "conversation_references",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("conversation", sa.String(191), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("person", sa.String(191), nullable=True),
        sa.Column("reference", sa.Text, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index(
        "ux_conversation_references",
        "conversation_references",
        ["channel", "conversation"],
        unique=True,
    )
    op.create_index("ix_conversation_references_person", "conversation_references", ["person"])


def downgrade() -> None:
    op.drop_table("conversation_references")
