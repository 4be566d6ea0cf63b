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
