"""Notices for the chat go on the route `chat`, which the attached channel adapter takes; an ops
message says its tone ("calendar", "chart", "warning") instead of a Slack emoji code.

Only messages still waiting are rewritten: what was sent stays as it was.

Revision ID: 0009
Revises: 0008
"""

import json

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

TONES = {":calendar:": "calendar", ":bar_chart:": "chart", ":warning:": "warning"}

outbox = sa.table(
    "outbox",
    sa.column("id", sa.Integer),
    sa.column("route", sa.String),
    sa.column("topic", sa.String),
    sa.column("payload", sa.Text),
    sa.column("state", sa.String),
)


def upgrade() -> None:
    _move("slack", "chat", "icon", "tone", TONES, "calendar")


def downgrade() -> None:
    icons = {tone: icon for icon, tone in TONES.items()}
    _move("chat", "slack", "tone", "icon", icons, ":calendar:")


def _move(
    source: str, target: str, old_key: str, new_key: str, values: dict[str, str], default: str
) -> None:
    """Move the waiting notices (not the Slack adapter's own replies) from route `source` to
    `target`, and an ops message's `old_key` to `new_key`."""
    connection = op.get_bind()
    waiting = connection.execute(
        sa.select(outbox.c.id, outbox.c.payload).where(
            outbox.c.route == source, outbox.c.topic != "reply", outbox.c.state == "pending"
        )
    )
    for message_id, text in list(waiting):
        payload = json.loads(text)
        if payload.get("kind") == "ops":
            old = payload.pop(old_key, None)
            payload[new_key] = values.get(old, default)
        connection.execute(
            sa.update(outbox)
            .where(outbox.c.id == message_id)
            .values(route=target, payload=json.dumps(payload, ensure_ascii=False, sort_keys=True))
        )
