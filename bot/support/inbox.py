"""The inbox: what people send is written to the database before it is acknowledged, then handled
by a bounded pool of workers, so that nothing acknowledged is lost to a crash, a lock timeout or
a burst.

A channel adapter writes each incoming event with `Inbox.receive` (one short transaction; a
repeat of an event id is a no-op) and acknowledges only once it is written. Workers take rows
with a lease, one lane (a chat channel) at a time in the order the events came: a lane's next
event waits until the one before is done. A crash leaves the row to be taken again when its lease
runs out, which a running worker keeps renewing, so a lost process costs seconds; handlers must
therefore be idempotent on the event id. A handler that fails is retried with a short backoff;
one that keeps failing is set aside as `failed`, logged, so that its lane goes on.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import json
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, delete, func, or_, select, update
from sqlalchemy.orm import aliased

from bot.logs import log_scope
from bot.store.batches import Batches, insert_new
from bot.store.db import Database
from bot.store.models import InboxEvent, utcnow

log = logging.getLogger(__name__)

Handler = Callable[[dict[str, Any]], Awaitable[None]]
Clock = Callable[[], datetime]

WAITING, DONE, FAILED = "waiting", "done", "failed"
LEASE = timedelta(seconds=15)  # renewed every third of it while the handler runs
MOST_ATTEMPTS = 5
POLL_SECONDS = 1.0  # how often an idle worker looks for work others left (expired leases)
KEEP_DONE = timedelta(days=1)
PRUNE_EVERY = timedelta(minutes=10)
RATE_WINDOW_SECONDS = 60.0


def retry_in(attempts: int) -> timedelta:
    """1 s, 2 s, 4 s, 8 s: a handler that failed is tried again soon (a lock timeout, a
    database restart), and its lane waits for it."""
    return timedelta(seconds=min(2 ** max(attempts - 1, 0), 30))


def _free(now: datetime) -> ColumnElement[bool]:
    """Not leased, or leased by a holder whose lease ran out."""
    return or_(InboxEvent.locked_until.is_(None), InboxEvent.locked_until < now)


@dataclass(frozen=True)
class Taken:
    id: int
    event_id: str
    kind: str
    payload: dict[str, Any]
    attempts: int


class Inbox:
    def __init__(self, db: Database, clock: Clock = utcnow, workers: int = 4) -> None:
        self.db = db
        self.clock = clock
        self.workers = workers
        self.handlers: dict[str, Handler] = {}
        self._first: set[str] = set()
        self._wake = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._busy = 0
        self._stopping = False
        self._failing = False
        self._pruned_at = clock()
        self._handled: collections.deque[float] = collections.deque(maxlen=10_000)
        self._receiving = Batches(self._insert)
        self._settling = Batches(self._update)

    def handle(self, kind: str, handler: Handler, *, first: bool = False) -> None:
        """Let `handler` handle the events of `kind` (an adapter registers its own). Events of a
        kind handled `first` go before all others that wait: a superuser's button press or
        command doesn't queue behind a burst of questions."""
        self.handlers[kind] = handler
        if first:
            self._first.add(kind)

    async def receive(
        self, event_id: str, kind: str, lane: str, payload: Mapping[str, Any]
    ) -> bool:
        """Write an event to be handled; False when this event id was received before (a
        retry). Raises when the database can't take it: the adapter must not acknowledge.

        Events that arrive while others are being written are written together, in one
        transaction, as soon as that write is done (a group commit): a burst costs one commit
        per handful of events instead of one each, and none waits longer than one write."""
        now = self.clock()
        row = {
            "event_id": event_id[:191],
            "kind": kind,
            "lane": lane[:191],
            "payload": json.dumps(payload),  # ASCII: a lone surrogate Slack sent survives
            "state": WAITING,
            "attempts": 0,
            "next_attempt_at": now,
            "received_at": now,
        }
        return await self._receiving(row)

    async def _insert(self, rows: list[dict[str, Any]]) -> list[bool]:
        """Insert the rows whose event ids are new, in one transaction; whether each was new."""
        results = await insert_new(self.db, InboxEvent, "event_id", rows)
        self._wake.set()
        return results

    async def depth(self) -> int:
        """How many events wait to be handled."""
        async with self.db.session() as session:
            count = await session.scalar(
                select(func.count()).select_from(InboxEvent).where(InboxEvent.state == WAITING)
            )
        return int(count or 0)

    def handled_per_second(self) -> float:
        """How fast this process handled events over the last minute."""
        cutoff = time.monotonic() - RATE_WINDOW_SECONDS
        while self._handled and self._handled[0] < cutoff:
            self._handled.popleft()
        return len(self._handled) / RATE_WINDOW_SECONDS

    async def idle(self) -> bool:
        """Nothing waiting and nothing being handled in this process."""
        return self._busy == 0 and await self.depth() == 0

    async def take(self) -> Taken | None:
        """Lease the oldest event that is first in its lane and due (of the kinds handled
        first, if one of them waits), if there is one: one transaction, a query per group of
        kinds until one finds a row."""
        now = self.clock()
        groups = [sorted(self._first), sorted(set(self.handlers) - self._first)]
        async with self.db.session() as session:
            for kinds in (group for group in groups if group):
                for row in list(await session.scalars(self._ready(kinds, now))):
                    # conditional, so that without FOR UPDATE (SQLite) a row another worker
                    # leased meanwhile matches nothing
                    result = await session.execute(
                        update(InboxEvent)
                        .where(InboxEvent.id == row.id, InboxEvent.state == WAITING, _free(now))
                        .values(locked_until=now + LEASE)
                        .execution_options(synchronize_session=False)
                    )
                    if result.rowcount == 1:
                        await session.commit()
                        return Taken(
                            row.id, row.event_id, row.kind, json.loads(row.payload), row.attempts
                        )
            await session.commit()
        return None

    def _ready(self, kinds: list[str], now: datetime) -> Select[tuple[InboxEvent]]:
        """The oldest ready events of `kinds`. The query walks the waiting events in id order
        by an index (state, kind, id) and stops at the first few ready ones, so a deep inbox
        costs no more per take than a shallow one."""
        earlier = aliased(InboxEvent)
        first_in_lane = ~(
            select(earlier.id)
            .where(
                earlier.lane == InboxEvent.lane,
                earlier.state == WAITING,
                earlier.id < InboxEvent.id,
            )
            .exists()
        )
        kind = InboxEvent.kind == kinds[0] if len(kinds) == 1 else InboxEvent.kind.in_(kinds)
        query = (
            select(InboxEvent)
            .where(
                InboxEvent.state == WAITING,
                kind,
                InboxEvent.next_attempt_at <= now,
                _free(now),
                first_in_lane,
            )
            .order_by(InboxEvent.id)
            .limit(self.workers)
        )
        if not self.db.is_sqlite:
            query = query.with_for_update(skip_locked=True, of=InboxEvent)
        return query

    async def handle_one(self) -> bool:
        """Take and handle one event; False when none is ready."""
        taken = await self.take()
        if taken is None:
            return False
        await self._handle(taken)
        return True

    async def handle_all(self) -> int:
        """Handle what is ready now, one at a time (tests, and a CLI without workers)."""
        handled = 0
        while await self.handle_one():
            handled += 1
        return handled

    async def _handle(self, taken: Taken) -> None:
        self._busy += 1
        handled = asyncio.Event()
        renewing = asyncio.create_task(self._renew(taken.id, handled))
        values: dict[str, Any] = {"locked_until": None, "attempts": taken.attempts + 1}
        try:
            with log_scope(request=taken.event_id):
                await self.handlers[taken.kind](taken.payload)
        except Exception as exc:
            error = f"{type(exc).__name__}: {exc}"[:2000]
            if taken.attempts + 1 >= MOST_ATTEMPTS:
                log.exception(
                    "inbox %d (%s, event %s) failed %d times; set aside",
                    taken.id,
                    taken.kind,
                    taken.event_id,
                    taken.attempts + 1,
                )
                values.update(state=FAILED, last_error=error, done_at=self.clock())
            else:
                wait = retry_in(taken.attempts + 1)
                log.warning(
                    "inbox %d (%s) failed (attempt %d), again in %s: %s",
                    taken.id,
                    taken.kind,
                    taken.attempts + 1,
                    wait,
                    error,
                )
                values.update(last_error=error, next_attempt_at=self.clock() + wait)
        else:
            values.update(state=DONE, done_at=self.clock(), last_error=None)
            self._handled.append(time.monotonic())
        finally:
            handled.set()
            await renewing
            self._busy -= 1
        await self._settle(taken.id, values)

    async def _settle(self, row_id: int, values: dict[str, Any]) -> None:
        """Record how handling went (together with the other workers' outcomes of the moment);
        if the database is away, the lease runs out and the event is handled again (handlers
        are idempotent)."""
        try:
            await self._settling((row_id, values))
        except Exception:
            log.exception("inbox %d: could not record the outcome; it will be taken again", row_id)
        if values.get("state") in (DONE, FAILED):
            self._wake.set()  # the lane's next event may go now

    async def _update(self, outcomes: list[tuple[int, dict[str, Any]]]) -> list[None]:
        async with self.db.session() as session:
            for row_id, values in outcomes:
                await session.execute(
                    update(InboxEvent).where(InboxEvent.id == row_id).values(**values)
                )
            await session.commit()
        return [None] * len(outcomes)

    async def _renew(self, row_id: int, handled: asyncio.Event) -> None:
        """Keep the lease while the handler runs (ended by `handled`, never cancelled midway:
        a database call cut off halfway leaves its connection behind)."""
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(handled.wait(), LEASE.total_seconds() / 3)
                return
            try:
                async with self.db.session() as session:
                    await session.execute(
                        update(InboxEvent)
                        .where(InboxEvent.id == row_id, InboxEvent.state == WAITING)
                        .values(locked_until=self.clock() + LEASE)
                    )
                    await session.commit()
            except Exception:
                log.warning("inbox %d: could not renew the lease", row_id, exc_info=True)

    async def prune(self) -> int:
        """Forget events handled more than a day ago."""
        async with self.db.session() as session:
            result = await session.execute(
                delete(InboxEvent).where(
                    InboxEvent.state == DONE, InboxEvent.done_at < self.clock() - KEEP_DONE
                )
            )
            await session.commit()
        return int(result.rowcount or 0)

    # -- the workers ------------------------------------------------------------------------

    def start(self) -> None:
        """Start the workers (once; in a running event loop)."""
        if not self._tasks:
            self._stopping = False
            self._tasks = [
                asyncio.get_running_loop().create_task(self._work(), name=f"inbox-worker-{n}")
                for n in range(self.workers)
            ]

    async def stop(self) -> None:
        """Let each worker finish the event in hand, then stop them."""
        tasks, self._tasks = self._tasks, []
        self._stopping = True
        self._wake.set()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _work(self) -> None:
        while not self._stopping:
            self._wake.clear()  # before looking, so a wake-up while looking is not lost
            try:
                worked = await self.handle_one()
                if self.clock() - self._pruned_at > PRUNE_EVERY:
                    self._pruned_at = self.clock()
                    await self.prune()
            except Exception:
                if not self._failing:  # once an outage, not at every try
                    log.exception("inbox worker: the database failed; trying again every second")
                self._failing = True
                worked = False
                await asyncio.sleep(POLL_SECONDS)
            else:
                if self._failing:
                    log.warning("inbox worker: the database works again")
                self._failing = False
            if not worked and not self._stopping:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), POLL_SECONDS)
