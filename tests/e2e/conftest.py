from __future__ import annotations

from collections.abc import AsyncIterator

import pytest_asyncio

from tests.conftest import make_settings
from tests.e2e.fake_slack import FakeSlackAPI
from tests.e2e.harness import BotServer, start_bot


@pytest_asyncio.fixture
async def slack() -> AsyncIterator[FakeSlackAPI]:
    async with FakeSlackAPI() as fake:
        yield fake


@pytest_asyncio.fixture
async def bot(database_url: str, slack: FakeSlackAPI) -> AsyncIterator[BotServer]:
    server = await start_bot(make_settings(database_url), slack)
    yield server
    await server.close()
