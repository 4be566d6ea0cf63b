"""One leader among the `firstline run` processes that share a PostgreSQL database.

Scheduled jobs run only in the leader, so each runs once however many replicas there are. The
leader holds a session-level advisory lock on a connection of its own; if the process dies or
its connection drops, PostgreSQL releases the lock and another process takes over at its next
check. With SQLite there is one process, and it leads.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.store.db import Database

log = logging.getLogger(__name__)

LOCK_KEY = 0x46495253544C494E  # "FIRSTLIN"
CHECK_EVERY_SECONDS = 5.0


class Leader:
    def __init__(
        self,
        db: Database,
        check_every: float = CHECK_EVERY_SECONDS,
        on_lead: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        self.db = db
        self.on_lead = on_lead
        self.check_every = check_every
        self.is_leader = db.is_sqlite
        self._conn: AsyncConnection | None = None
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        if not self.db.is_sqlite:
            await self.check()
            self._task = asyncio.create_task(self._loop())
        if self.is_leader:
            await self._became_leader()

    async def _became_leader(self) -> None:
        """Catch up on what the previous leader (or a stopped bot) missed."""
        if self.on_lead is not None:
            try:
                await self.on_lead()
            except Exception:
                log.exception("catching up after taking the lead failed")

    async def _loop(self) -> None:
        while True:
            await asyncio.sleep(self.check_every)
            await self.check()

    async def check(self) -> bool:
        """Take the lock if free, or confirm we still hold it (a dead connection means we don't)."""
        try:
            if self._conn is None:
                self._conn = await self.db.engine.connect()
            if self.is_leader:
                await self._conn.execute(text("SELECT 1"))
                await self._conn.commit()  # the lock is per session; don't idle in a transaction
            else:
                got = await self._conn.scalar(
                    text("SELECT pg_try_advisory_lock(:key)"), {"key": LOCK_KEY}
                )
                await self._conn.commit()
                if got:
                    log.info("this process is now the scheduler leader")
                self.is_leader = bool(got)
        except Exception as exc:  # the connection broke: whatever we held is gone
            if self.is_leader:
                log.warning("lost the scheduler leadership: %s", exc)
            self.is_leader = False
            await self._drop()
        return self.is_leader

    async def _drop(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(Exception):
                await self._conn.invalidate()
            self._conn = None

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._conn is not None and self.is_leader:
            with contextlib.suppress(Exception):
                await self._conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": LOCK_KEY})
        if self._conn is not None:
            with contextlib.suppress(Exception):
                await self._conn.close()
        self._conn, self.is_leader = None, self.db.is_sqlite
