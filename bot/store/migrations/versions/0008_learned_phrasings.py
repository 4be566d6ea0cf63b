"""Phrasings the bot learned from use: questions an asker confirmed an FAQ entry answered.

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "learned_phrasings",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("entry_question", sa.Text(), nullable=False),
        sa.Column("entry_key", sa.String(length=64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("text_hash", sa.String(length=64), nullable=False),
        sa.Column("area", sa.String(length=32), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("question_id", sa.Integer(), sa.ForeignKey("questions.id"), nullable=True),
        sa.Column("learned_from", sa.String(length=64), nullable=False),
    )
    op.create_index("ix_learned_phrasings_entry_key", "learned_phrasings", ["entry_key"])
    op.create_index(
        "ux_learned_phrasings_entry_text",
        "learned_phrasings",
        ["entry_key", "text_hash"],
        unique=True,
    )


def downgrade() -> None:
    op.drop_table("learned_phrasings")
