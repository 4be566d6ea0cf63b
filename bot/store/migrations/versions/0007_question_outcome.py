"""What the bot made of a question (answered, clarify, off_topic, unresolved), kept when the
status changes later (an off-topic question the asker sends to a superuser becomes unresolved).

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("questions") as batch:
        batch.add_column(sa.Column("outcome", sa.String(length=16), nullable=True))
    op.execute(
        "UPDATE questions SET outcome = CASE WHEN answered THEN 'answered' ELSE 'unresolved' END"
    )


def downgrade() -> None:
    with op.batch_alter_table("questions") as batch:
        batch.drop_column("outcome")
