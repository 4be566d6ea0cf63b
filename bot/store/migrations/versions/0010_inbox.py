"""The inbox (events written before they are acknowledged, handled in order per lane), and a
lane on outbox messages so that one chat channel's messages go out in order.

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "inbox",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("event_id", sa.String(191), nullable=False, unique=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("lane", sa.String(191), nullable=False),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True)),
        sa.Column("last_error", sa.Text),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True)),
    )
    op.create_index("ix_inbox_state", "inbox", ["state"])
    op.create_index("ix_inbox_lane_state", "inbox", ["lane", "state", "id"])
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("lane", sa.String(191)))
        batch.create_index("ix_outbox_lane", ["lane"])


def downgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.drop_index("ix_outbox_lane")
        batch.drop_column("lane")
    op.drop_index("ix_inbox_lane_state", table_name="inbox")
    op.drop_index("ix_inbox_state", table_name="inbox")
    op.drop_table("inbox")
