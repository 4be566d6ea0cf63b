"""Group commit: writes that arrive while another is under way are done together in the next
transaction, so a burst costs one commit per batch instead of one per write, and a lone write
waits for nothing."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, Generic, TypeVar

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from bot.store.db import Database
from bot.store.models import Base

Item = TypeVar("Item")
Result = TypeVar("Result")


class Batches(Generic[Item, Result]):
    """`await batches(item)` returns what `write` returned for it. `write` gets the items that
    arrived meanwhile (at most `most` at once) and returns one result per item, in order; when
    it raises, every item of that batch raises the same."""

    def __init__(
        self, write: Callable[[list[Item]], Awaitable[list[Result]]], most: int = 200
    ) -> None:
        self.write = write
        self.most = most
        self._waiting: list[tuple[Item, asyncio.Future[Result]]] = []
        self._writing: asyncio.Task[None] | None = None

    async def __call__(self, item: Item) -> Result:
        loop = asyncio.get_running_loop()
        done: asyncio.Future[Result] = loop.create_future()
        self._waiting.append((item, done))
        if self._writing is None or self._writing.done():
            self._writing = loop.create_task(self._write_waiting())
        return await done

    async def _write_waiting(self) -> None:
        while self._waiting:
            batch = self._waiting[: self.most]
            del self._waiting[: self.most]
            try:
                results = await self.write([item for item, _ in batch])
            except Exception as exc:
                for _, done in batch:
                    if not done.done():
                        done.set_exception(exc)
                continue
            for (_, done), result in zip(batch, results, strict=True):
                if not done.done():
                    done.set_result(result)


async def insert_new(
    db: Database, model: type[Base], key: str, rows: list[dict[str, Any]]
) -> list[bool]:
    """Insert, in one transaction, the rows whose unique `key` is not in the table yet; for
    each row, whether it was inserted (a repeat within `rows` is not). Should another process
    insert one of them meanwhile, each row is tried on its own."""
    column = getattr(model, key)
    fresh: dict[str, dict[str, Any]] = {}
    for row in rows:
        fresh.setdefault(row[key], row)
    async with db.session() as session:
        for known in await session.scalars(select(column).where(column.in_(list(fresh)))):
            del fresh[known]
        if fresh:
            await session.execute(insert(model), list(fresh.values()))
            try:
                await session.commit()
            except IntegrityError:
                await session.rollback()
                fresh = await _insert_one_by_one(db, model, key, fresh)
    return [fresh.pop(row[key], None) is row for row in rows]


async def _insert_one_by_one(
    db: Database, model: type[Base], key: str, rows: dict[str, dict[str, Any]]
) -> dict[str, dict[str, Any]]:
    inserted = {}
    for value, row in rows.items():
        async with db.session() as session:
            await session.execute(insert(model), [row])
            try:
                await session.commit()
                inserted[value] = row
            except IntegrityError:
                await session.rollback()
    return inserted
