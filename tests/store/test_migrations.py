"""Migrations that change existing rows, on a real database: SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from alembic import command
from sqlalchemy import Connection, text

from bot.store.db import Database, alembic_config, head_revision
from tests.conftest import ROOT


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


def test_the_head_revision_is_read_from_the_file_names_as_alembic_reads_it() -> None:
    """The bot skips Alembic at start when the database is at this revision."""
    from alembic.script import ScriptDirectory

    assert head_revision() == ScriptDirectory.from_config(alembic_config()).get_current_head()


def test_a_database_at_the_head_is_opened_without_loading_alembic(tmp_path: Path) -> None:
    """At start a database with every migration is only checked: Alembic (about 10 MiB) is not
    loaded, so it doesn't stay in the bot's memory for nothing."""
    script = (
        "import asyncio, sys\n"
        "from bot.store.db import Database\n"
        "async def main():\n"
        f"    db = Database('sqlite+aiosqlite:///{tmp_path}/head.db')\n"
        "    await db.upgrade()\n"
        "    await db.close()\n"
        "asyncio.run(main())\n"
        "print('alembic' in sys.modules)\n"
    )
    runs = [
        subprocess.run(
            [sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, check=True
        ).stdout.strip()
        for _ in range(2)
    ]
    assert runs == ["True", "False"]  # migrated the first time; the second only checked


async def test_processes_starting_at_once_on_a_new_database_migrate_it_once(
    database_url: str,
) -> None:
    """`docker compose up` starts the web and the worker process together, and each runs
    `firstline db upgrade` first (so does every `firstline run`): on a new database they must
    not trip over each other creating the same tables."""
    env = {**os.environ, "DATABASE_URL": database_url, "PYTHONPATH": str(ROOT)}
    upgrades = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "handlers.terminal.cli",
            "db",
            "upgrade",
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        for _ in range(3)
    ]
    said = await asyncio.wait_for(asyncio.gather(*(p.communicate() for p in upgrades)), 120)
    assert [p.returncode for p in upgrades] == [0, 0, 0], [err.decode() for _, err in said]
    db = Database(database_url)
    try:
        async with db.engine.connect() as conn:
            versions = list(await conn.scalars(text("SELECT version_num FROM alembic_version")))
        assert versions == [head_revision()]
    finally:
        await db.close()
