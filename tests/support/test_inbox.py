"""The inbox: events kept before they are acknowledged, handled once each, in order per lane,
taken over after a crash, retried, and set aside when they keep failing."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio
from sqlalchemy import event, select

from bot.store.db import Database
from bot.store.models import InboxEvent
from bot.support.inbox import LEASE, MOST_ATTEMPTS, Inbox
from tests.conftest import Clock


@pytest_asyncio.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = Database(database_url)
    await database.upgrade()
    yield database
    await database.close()


async def states(db: Database) -> list[tuple[str, str, int]]:
    async with db.session() as session:
        rows = await session.scalars(select(InboxEvent).order_by(InboxEvent.id))
        return [(r.event_id, r.state, r.attempts) for r in rows]


async def test_an_event_is_kept_once_and_handled_once(db: Database) -> None:
    inbox = Inbox(db, Clock())
    handled: list[dict[str, Any]] = []

    async def handle(payload: dict[str, Any]) -> None:
        handled.append(payload)

    inbox.handle("question", handle)
    assert await inbox.receive("Ev1", "question", "C1", {"text": "hej", "odd": "\ud800"})
    assert not await inbox.receive("Ev1", "question", "C1", {"text": "a retry"})
    assert await inbox.depth() == 1
    assert await inbox.handle_all() == 1
    assert handled == [{"text": "hej", "odd": "\ud800"}]
    assert await inbox.handle_all() == 0
    assert await states(db) == [("Ev1", "done", 1)]
    assert await inbox.idle()


async def test_a_burst_is_written_in_a_few_transactions_each_event_once(db: Database) -> None:
    """Events arriving while others are written go together in the next transaction; retries
    of an event, in the same burst or later, are known as such."""
    inbox = Inbox(db, Clock())
    commits: list[int] = []
    event.listen(db.engine.sync_engine, "commit", lambda _conn: commits.append(1))
    ids = [f"Ev{n}" for n in range(60)] + ["Ev3", "Ev7"]  # two retries among them
    results = await asyncio.gather(
        *(inbox.receive(i, "question", f"C{n % 5}", {"n": n}) for n, i in enumerate(ids))
    )
    assert results == [True] * 60 + [False, False]
    assert len(commits) < 10, len(commits)
    assert not await inbox.receive("Ev0", "question", "C0", {"n": 0})
    assert [s[0] for s in await states(db)] == [f"Ev{n}" for n in range(60)]


async def test_a_lane_goes_in_order_while_other_lanes_go_on(db: Database) -> None:
    clock = Clock()
    inbox = Inbox(db, clock)
    inbox.handle("question", lambda payload: asyncio.sleep(0))
    for n, lane in enumerate(["C1", "C1", "C2", "C1"]):
        await inbox.receive(f"Ev{n}", "question", lane, {"n": n})
    first = await inbox.take()
    assert first is not None and first.event_id == "Ev0"
    second = await inbox.take()  # C1 is busy with Ev0, so C2's event is next
    assert second is not None and second.event_id == "Ev2"
    assert await inbox.take() is None  # Ev1 waits for Ev0; Ev3 for Ev1
    clock.advance(seconds=LEASE.total_seconds() + 1)  # the process holding Ev0 died
    again = await inbox.take()
    assert again is not None and again.event_id == "Ev0"


async def test_kinds_handled_first_go_before_the_questions_that_wait(db: Database) -> None:
    """A superuser's button press doesn't queue behind a burst of questions; its own lane
    still goes in order."""
    inbox = Inbox(db, Clock())
    handled: list[str] = []

    async def handle(payload: dict[str, Any]) -> None:
        handled.append(payload["name"])

    inbox.handle("question", handle)
    inbox.handle("press", handle, first=True)
    for n in range(5):
        await inbox.receive(f"Ev{n}", "question", f"C{n}", {"name": f"question {n}"})
    await inbox.receive("Press1", "press", "U1", {"name": "claim"})
    await inbox.receive("Press2", "press", "U1", {"name": "answer"})
    assert await inbox.handle_all() == 7
    assert handled == ["claim", "answer"] + [f"question {n}" for n in range(5)]


async def test_workers_handle_a_burst_once_each_in_order_per_lane(db: Database) -> None:
    inbox = Inbox(db, workers=4)
    seen: dict[str, list[int]] = {}
    running: set[str] = set()
    overlapped: list[str] = []

    async def handle(payload: dict[str, Any]) -> None:
        lane = payload["lane"]
        if lane in running:
            overlapped.append(lane)
        running.add(lane)
        await asyncio.sleep(0.001)
        seen.setdefault(lane, []).append(payload["n"])
        running.discard(lane)

    inbox.handle("question", handle)
    inbox.start()
    try:
        for n in range(60):
            lane = f"C{n % 5}"
            await inbox.receive(f"Ev{n}", "question", lane, {"lane": lane, "n": n})
        for _ in range(500):
            if await inbox.idle():
                break
            await asyncio.sleep(0.02)
    finally:
        await inbox.stop()
    assert not overlapped
    assert seen == {f"C{k}": list(range(k, 60, 5)) for k in range(5)}
    assert [state for _, state, _ in await states(db)] == ["done"] * 60


async def test_a_failing_handler_is_retried_soon_then_set_aside(
    db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    clock = Clock()
    inbox = Inbox(db, clock)
    calls: list[int] = []

    async def broken(payload: dict[str, Any]) -> None:
        calls.append(1)
        raise RuntimeError("database is locked")

    inbox.handle("question", broken)
    await inbox.receive("Ev1", "question", "C1", {})
    await inbox.receive("Ev2", "question", "C1", {})
    assert await inbox.handle_one()
    assert await states(db) == [("Ev1", "waiting", 1), ("Ev2", "waiting", 0)]
    assert not await inbox.handle_one()  # not due yet, and Ev2 waits behind it
    for _ in range(MOST_ATTEMPTS - 1):
        clock.advance(seconds=31)
        assert await inbox.handle_one()
    assert (await states(db))[0] == ("Ev1", "failed", MOST_ATTEMPTS)
    assert "set aside" in caplog.text
    inbox.handle("question", lambda payload: asyncio.sleep(0))
    assert await inbox.handle_all() == 1  # the lane goes on
    assert (await states(db))[1] == ("Ev2", "done", 1)


async def test_handled_events_are_forgotten_after_a_day(db: Database) -> None:
    clock = Clock()
    inbox = Inbox(db, clock)
    inbox.handle("question", lambda payload: asyncio.sleep(0))
    await inbox.receive("Ev1", "question", "C1", {})
    await inbox.handle_all()
    assert await inbox.prune() == 0
    clock.advance(days=1, seconds=1)
    assert await inbox.prune() == 1
    assert await states(db) == []
    assert await inbox.receive("Ev1", "question", "C1", {})  # long gone: new again
