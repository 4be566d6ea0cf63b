"""Shared fixtures: SQLite always, PostgreSQL too when FIRSTLINE_TEST_POSTGRES_URL is set."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import pytest_asyncio
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from bot.app import Channel
from bot.settings import Settings, normalize_database_url
from bot.store.models import Question
from bot.support.outbox import Delivery

if TYPE_CHECKING:
    from bot.app import Core

ROOT = Path(__file__).resolve().parent.parent
KNOWLEDGE = ROOT / "knowledge"
POSTGRES_URL = os.environ.get("FIRSTLINE_TEST_POSTGRES_URL")
# An ERP question the sample FAQ can't answer: declined and, from a channel that follows up,
# escalated.
UNANSWERABLE = "Hur periodiserar jag en förutbetald hyra över tolv månader?"

BACKENDS = ["sqlite"] + (["postgresql"] if POSTGRES_URL else [])
# Tuesday 3 November 2026, 10:00 in Stockholm: inside business hours
START = datetime(2026, 11, 3, 9, 0, tzinfo=UTC)


class Clock:
    """A clock the test sets, for the core and its parts (`create_core(settings, clock)`)."""

    def __init__(self, now: datetime = START) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += timedelta(**kwargs)


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str | None]:
    """A throw-away database on the test server for this run, dropped at the end."""
    if not POSTGRES_URL:
        yield None
        return
    import asyncio

    base = make_url(normalize_database_url(POSTGRES_URL))
    name = f"firstline_test_{uuid.uuid4().hex[:10]}"

    async def admin(sql: str) -> None:
        engine = create_async_engine(base, isolation_level="AUTOCOMMIT")
        async with engine.connect() as conn:
            await conn.execute(text(sql))
        await engine.dispose()

    asyncio.run(admin(f'CREATE DATABASE "{name}"'))
    yield base.set(database=name).render_as_string(hide_password=False)
    asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest_asyncio.fixture(params=BACKENDS)
async def database_url(
    request: pytest.FixtureRequest, tmp_path: Path, postgres_database: str | None
) -> AsyncIterator[str]:
    """An empty database of each supported kind."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'firstline.db'}"
        return
    assert postgres_database is not None
    engine = create_async_engine(postgres_database)
    async with engine.begin() as conn:
        await conn.execute(text("DROP SCHEMA public CASCADE"))
        await conn.execute(text("CREATE SCHEMA public"))
    await engine.dispose()
    yield postgres_database


def small_knowledge(root: Path, *ops_files: str) -> Path:
    """A knowledge folder with one FAQ entry and copies of the sample's ops files named."""
    knowledge = root / "knowledge"
    (knowledge / "faq").mkdir(parents=True)
    (knowledge / "faq" / "a.md").write_text("---\narea: finance\n---\n## Q?\nA.\n")
    for name in ops_files:
        (knowledge / name).write_text((KNOWLEDGE / name).read_text())
    return knowledge


def make_settings(database_url: str, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "knowledge_dir": KNOWLEDGE,
        "database_url": database_url,
        "support_channels": frozenset({"C0SUPPORT"}),
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


def following_up(source: str, sent: list[dict[str, Any]] | None = None) -> Channel:
    """A chat channel as the core sees one, following up the questions from `source` and keeping
    what it is sent in `sent`: for tests of the core without an adapter."""

    async def send(payload: dict[str, Any], _delivery: Delivery) -> str:
        if sent is not None:
            sent.append(payload)
        return "sent"

    return Channel(source, send, follows_up=frozenset({source}))


async def record_unresolved(
    core: Core,
    text: str,
    at: datetime,
    *,
    source: str = "slack",
    asker: str = "U0ASKER",
    matched_question: str | None = None,
) -> Question:
    """An unresolved finance question from the support channel, recorded as the desk records
    one, so a test can open its escalation itself (with its own clock, whatever the FAQ says)."""
    question = Question(
        created_at=at,
        source=source,
        asker=asker,
        channel="C0SUPPORT",
        message_ts="1.1",
        thread_ts="1.1",
        text=text,
        language="sv",
        matched_question=matched_question,
        matched_area="finance",
        confidence=0.1,
        answered=False,
        status="unresolved",
    )
    async with core.db.session() as session:
        session.add(question)
        await session.commit()
    return question
