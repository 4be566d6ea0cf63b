"""Group commit: writes that arrive during a write go together in the next one."""

from __future__ import annotations

import asyncio

import pytest

from bot.store.batches import Batches


async def test_writes_that_arrive_meanwhile_go_together_and_each_gets_its_result() -> None:
    batches_seen: list[list[int]] = []

    async def write(items: list[int]) -> list[int]:
        batches_seen.append(items)
        await asyncio.sleep(0.01)  # a transaction under way
        return [item * 10 for item in items]

    batches = Batches(write, most=4)
    results = await asyncio.gather(*(batches(n) for n in range(9)))
    assert results == [n * 10 for n in range(9)]
    assert batches_seen == [[0, 1, 2, 3], [4, 5, 6, 7], [8]]  # all arrived before the first
    assert await batches(42) == 420


async def test_a_failed_write_fails_its_own_batch_only() -> None:
    async def write(items: list[str]) -> list[str]:
        await asyncio.sleep(0.01)
        if "bad" in items:
            raise RuntimeError("the database is away")
        return items

    batches = Batches(write)
    first = asyncio.ensure_future(batches("first"))
    await asyncio.sleep(0)
    together = asyncio.gather(batches("bad"), batches("with bad"), return_exceptions=True)
    assert await first == "first"
    assert [type(r) for r in await together] == [RuntimeError, RuntimeError]
    assert await batches("after") == "after"


async def test_a_caller_that_gives_up_leaves_the_others_their_results() -> None:
    async def write(items: list[int]) -> list[int]:
        await asyncio.sleep(0.01)
        return items

    batches = Batches(write)
    leaving = asyncio.ensure_future(batches(1))
    staying = asyncio.ensure_future(batches(2))
    await asyncio.sleep(0)
    leaving.cancel()
    assert await staying == 2
    with pytest.raises(asyncio.CancelledError):
        await leaving
