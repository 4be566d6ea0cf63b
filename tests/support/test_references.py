"""Conversation references: kept once per conversation, brought up to date, found again."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest_asyncio

from bot.app import Core, create_core
from tests.conftest import make_settings


@pytest_asyncio.fixture
async def core(database_url: str) -> AsyncIterator[Core]:
    core = await create_core(make_settings(database_url))
    yield core
    await core.close()


async def test_a_reference_is_kept_updated_and_found(core: Core) -> None:
    refs = core.references
    await refs.keep("teams", "a:1", "personal", {"serviceUrl": "http://one"}, person="anna")
    await refs.keep("teams", "a:1", "personal", {"serviceUrl": "http://two"}, person="anna")
    await refs.keep("teams", "19:x@thread.tacv2", "channel", {"serviceUrl": "http://two"})
    kept = await refs.get("teams", "a:1")
    assert kept is not None and kept.reference == {"serviceUrl": "http://two"}
    personal = await refs.personal("teams", "anna")
    assert personal is not None and personal.conversation == "a:1"
    assert await refs.personal("teams", "per") is None
    assert await refs.get("slack", "a:1") is None
