"""The messages about an escalation that the chat keeps current (a superuser's direct message,
the triage channel's post, the vendor's request, the answer in the asker's thread), and where
the chat keeps each once it is sent, so that every later step can update them in place.

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "escalation_posts",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("escalation_id", sa.Integer(), sa.ForeignKey("escalations.id"), nullable=False),
        sa.Column("event_id", sa.Integer(), sa.ForeignKey("escalation_events.id"), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("recipient", sa.String(length=64), nullable=False),
        sa.Column("channel", sa.String(length=64), nullable=True),
        sa.Column("ts", sa.String(length=32), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index(
        "ix_escalation_posts_recipient", "escalation_posts", ["escalation_id", "recipient"]
    )


def downgrade() -> None:
    op.drop_table("escalation_posts")
