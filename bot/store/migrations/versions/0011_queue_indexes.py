"""Indexes that let the inbox's and the outbox's workers find the next row without reading every
waiting one: by state in id order, by state and kind (the kinds handled first), and the outbox's
lanes by state in id order, as the inbox's are. Before, every take read all waiting rows and
sorted them, so a burst cost more per event the deeper it was.

Revision ID: 0011
Revises: 0010
"""

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_inbox_state", table_name="inbox")
    op.create_index("ix_inbox_state_id", "inbox", ["state", "id"])
    op.create_index("ix_inbox_state_kind_id", "inbox", ["state", "kind", "id"])
    with op.batch_alter_table("outbox") as batch:
        batch.drop_index("ix_outbox_lane")
        batch.drop_index("ix_outbox_state")
        batch.create_index("ix_outbox_lane_state", ["lane", "state", "id"])
        batch.create_index("ix_outbox_state_id", ["state", "id"])


def downgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.drop_index("ix_outbox_state_id")
        batch.drop_index("ix_outbox_lane_state")
        batch.create_index("ix_outbox_state", ["state"])
        batch.create_index("ix_outbox_lane", ["lane"])
    op.drop_index("ix_inbox_state_kind_id", table_name="inbox")
    op.drop_index("ix_inbox_state_id", table_name="inbox")
    op.create_index("ix_inbox_state", "inbox", ["state"])
