"""Migrations that change existing rows, on a real database: SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable

from alembic import command
from sqlalchemy import Connection, text

from bot.store.db import Database, alembic_config


async def test_0007_gives_the_questions_asked_before_it_their_outcome(database_url: str) -> None:
    db = Database(database_url)

    def upgrade_to(revision: str) -> Callable[[Connection], None]:
        return lambda connection: command.upgrade(alembic_config(connection), revision)

    def insert(connection: Connection) -> None:
        for answered, status in ((True, "solved"), (False, "unresolved"), (True, "unresolved")):
            connection.execute(
                text(
                    "INSERT INTO questions (created_at, source, asker, text, language, "
                    "confidence, answered, status) VALUES (CURRENT_TIMESTAMP, 'slack', 'U1', "
                    "'q', 'sv', 0.5, :answered, :status)"
                ),
                {"answered": answered, "status": status},
            )

    try:
        async with db.engine.begin() as conn:
            await conn.run_sync(upgrade_to("0006"))
            await conn.run_sync(insert)
        await db.upgrade()
        async with db.engine.connect() as conn:
            rows = await conn.execute(text("SELECT outcome FROM questions ORDER BY id"))
            assert [r[0] for r in rows] == ["answered", "unresolved", "answered"]
    finally:
        await db.close()


async def test_0009_hands_waiting_slack_notices_to_the_chat_route(database_url: str) -> None:
    """What waits is rewritten (route, and the ops message's tone); what was sent, and the Slack
    adapter's own retried replies, stay as they were."""
    db = Database(database_url)
    rows = [
        (
            "slack",
            "ops",
            '{"icon": ":warning:", "kind": "ops", "text": "t", "to": "C1"}',
            "pending",
        ),
        ("slack", "assigned", '{"escalation": 1, "kind": "assigned", "to": "U1"}', "pending"),
        ("slack", "reply", '{"channel": "C1", "kind": "reply"}', "pending"),
        ("slack", "ops", '{"icon": ":calendar:", "kind": "ops", "text": "t", "to": "C1"}', "sent"),
        ("email", "vendor", '{"to": "a@b.se"}', "pending"),
    ]

    def insert(connection: Connection) -> None:
        for n, (route, topic, payload, state) in enumerate(rows):
            connection.execute(
                text(
                    "INSERT INTO outbox (route, topic, payload, dedupe_key, state, attempts, "
                    "next_attempt_at, created_at) VALUES (:route, :topic, :payload, :key, "
                    ":state, 0, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
                ),
                {
                    "route": route,
                    "topic": topic,
                    "payload": payload,
                    "key": f"k{n}",
                    "state": state,
                },
            )

    try:
        async with db.engine.begin() as conn:
            await conn.run_sync(
                lambda connection: command.upgrade(alembic_config(connection), "0008")
            )
            await conn.run_sync(insert)
        await db.upgrade()
        async with db.engine.connect() as conn:
            found = await conn.execute(text("SELECT route, payload FROM outbox ORDER BY id"))
            assert [tuple(r) for r in found] == [
                ("chat", '{"kind": "ops", "text": "t", "to": "C1", "tone": "warning"}'),
                ("chat", '{"escalation": 1, "kind": "assigned", "to": "U1"}'),
                ("slack", '{"channel": "C1", "kind": "reply"}'),
                ("slack", rows[3][2]),
                ("email", '{"to": "a@b.se"}'),
            ]
    finally:
        await db.close()
