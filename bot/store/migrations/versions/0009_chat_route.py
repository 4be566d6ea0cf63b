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
    connection = op.get_bind()
    waiting = connection.execute(
        sa.select(outbox.c.id, outbox.c.payload).where(
            outbox.c.route == "slack", outbox.c.topic != "reply", outbox.c.state == "pending"
        )
    )
    for message_id, text in list(waiting):
        payload = json.loads(text)
        if payload.get("kind") == "ops":
            payload["tone"] = TONES.get(payload.pop("icon", None), "calendar")
        connection.execute(
            sa.update(outbox)
            .where(outbox.c.id == message_id)
            .values(route="chat", payload=json.dumps(payload, ensure_ascii=False, sort_keys=True))
        )


def downgrade() -> None:
    connection = op.get_bind()
    icons = {tone: icon for icon, tone in TONES.items()}
    waiting = connection.execute(
        sa.select(outbox.c.id, outbox.c.payload).where(
            outbox.c.route == "chat", outbox.c.state == "pending"
        )
    )
    for message_id, text in list(waiting):
        payload = json.loads(text)
        if payload.get("kind") == "ops":
            payload["icon"] = icons.get(payload.pop("tone", None), ":calendar:")
        connection.execute(
            sa.update(outbox)
            .where(outbox.c.id == message_id)
            .values(route="slack", payload=json.dumps(payload, ensure_ascii=False, sort_keys=True))
        )
