"""PostgreSQL going away and coming back, between the bot and a real server: while it is away
Slack gets a 503 for each question (so Slack sends it again), the asker is told once that the
answer is delayed, the log says so once; when it is back, every question is answered."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from bot.settings import normalize_database_url
from tests.conftest import POSTGRES_URL, make_settings
from tests.e2e import slack_requests as sr
from tests.e2e.fake_slack import FakeSlackAPI
from tests.e2e.harness import start_bot
from tests.e2e.test_slack_inbox import replies_to
from tests.e2e.test_slack_questions import settle

pytestmark = pytest.mark.skipif(not POSTGRES_URL, reason="needs FIRSTLINE_TEST_POSTGRES_URL")


class Cable:
    """A TCP proxy on loopback in front of the database: `cut` drops every connection and
    refuses new ones, `mend` lets them through again."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.cut_off = False
        self.writers: set[asyncio.StreamWriter] = set()
        self.server: asyncio.Server | None = None

    async def start(self) -> int:
        self.server = await asyncio.start_server(self._connect, "127.0.0.1", 0)
        return self.server.sockets[0].getsockname()[1]

    async def _connect(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self.cut_off:
            writer.close()
            return
        up_reader, up_writer = await asyncio.open_connection(self.host, self.port)
        self.writers |= {writer, up_writer}
        await asyncio.gather(self._pipe(reader, up_writer), self._pipe(up_reader, writer))

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(ConnectionError, OSError):
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        writer.close()
        self.writers.discard(writer)

    def cut(self) -> None:
        self.cut_off = True
        for writer in list(self.writers):
            writer.close()

    def mend(self) -> None:
        self.cut_off = False

    async def close(self) -> None:
        self.cut()
        if self.server is not None:
            self.server.close()
            await self.server.wait_closed()


@pytest_asyncio.fixture
async def through_cable(postgres_database: str) -> AsyncIterator[tuple[str, Cable]]:
    engine = create_async_engine(postgres_database)
    async with engine.begin() as conn:
        await conn.execute(text("DROP SCHEMA public CASCADE"))
        await conn.execute(text("CREATE SCHEMA public"))
    await engine.dispose()
    url = make_url(normalize_database_url(postgres_database))
    cable = Cable(url.host or "127.0.0.1", url.port or 5432)
    port = await cable.start()
    yield url.set(host="127.0.0.1", port=port).render_as_string(hide_password=False), cable
    await cable.close()


async def test_questions_while_the_database_is_away_are_answered_when_it_is_back(
    through_cable: tuple[str, Cable], slack: FakeSlackAPI, caplog: pytest.LogCaptureFixture
) -> None:
    database_url, cable = through_cable
    bot = await start_bot(make_settings(database_url), slack)
    try:
        first = sr.message_event("hur gör jag en cykelinventering?")
        assert (await bot.send(sr.event_callback(first, event_id="Ev1"))).status == 200
        await slack.wait_for("chat.postMessage")

        cable.cut()
        away = [sr.message_event(f"hur gör jag en cykelinventering? ({n})") for n in range(3)]
        for n, event in enumerate(away):
            response = await bot.send(sr.event_callback(event, event_id=f"Ev{n + 2}"))
            assert response.status == 503  # not kept: Slack must send it again
        await slack.wait_for("chat.postMessage", count=4)
        for event in away:
            [told] = replies_to(slack, event["ts"])
            assert told.startswith("Jag har tekniska problem just nu")
        retry = sr.event_callback(away[0], event_id="Ev2", retry_num=1, retry_reason="http_error")
        assert (await bot.send(retry)).status == 503
        await asyncio.sleep(0.2)
        assert len(replies_to(slack, away[0]["ts"])) == 1  # told once, not at every retry
        await asyncio.sleep(1.5)  # the workers meet the outage too

        cable.mend()
        for n, event in enumerate(away):
            again = sr.event_callback(event, event_id=f"Ev{n + 2}", retry_num=2, retry_reason="x")
            assert (await bot.send(again)).status == 200
        await slack.wait_for("chat.postMessage", count=7, timeout=20)
        await settle(bot)
        for event in away:
            told, answer = replies_to(slack, event["ts"])
            assert "cykelinventering" in answer.lower()
    finally:
        await bot.close()
    said = [r.getMessage() for r in caplog.records if r.name == "handlers.slack.inbox"]
    assert len([m for m in said if "can't keep Slack events" in m]) == 1
    assert len([m for m in said if "keeps Slack events again" in m]) == 1
    workers = [r.getMessage() for r in caplog.records if r.name == "bot.support.inbox"]
    assert len([m for m in workers if "the database failed" in m]) <= 1  # once, if they met it
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert {r.name for r in errors} <= {"handlers.slack.inbox", "bot.support.inbox"}
