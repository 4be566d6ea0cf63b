"""The outbox: deliveries written in the same transaction as the change that caused them, then
sent by `Outbox.deliver_due` with retries and backoff, so nothing is lost when Slack, the mail
server or a webhook is down, and a step that was rolled back sends nothing.

Each route has a sender: an async function that takes the payload and the `Delivery` (which
message, tried before or not) and returns a short result,
raises `TemporaryFailure` to be retried later, or `PermanentFailure` to give up. The core sends
e-mail and webhooks itself; what goes to people in the chat (`notices.CHAT`) is sent by the
channel adapter attached as the chat (`Outbox.attach`), which may add routes of its own.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, case, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bot.logs import log_scope
from bot.store.batches import Batches, insert_new
from bot.store.db import Database
from bot.store.models import OutboxMessage, utcnow
from bot.support.notices import CHAT, Notice

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Delivery:
    """Which outbox message a sender is sending, and whether an earlier attempt may have reached
    the receiver (it failed midway, or its process died holding the lease): a sender that can
    look (Slack: the message's metadata) then finds it instead of sending it twice."""

    id: int
    attempts: int
    retaken: bool

    @property
    def maybe_sent(self) -> bool:
        return self.attempts > 0 or self.retaken


@dataclass(frozen=True)
class Posted:
    """Where a chat message was posted: the channel the chat keeps it in (for a message to a
    person, their direct conversation) and its id there, so that it can be updated later."""

    channel: str
    ts: str


# What a sender returns: a short result (recorded with the message), or where it posted it.
Sent = str | Posted | None
Sender = Callable[[dict[str, Any], Delivery], Awaitable[Sent]]
# Run in the transaction that records a message of its topic as sent: (session, payload, what
# the sender returned).
SentHook = Callable[[AsyncSession, dict[str, Any], Sent], Awaitable[None]]
Clock = Callable[[], datetime]
# how a send went: the message, the values to record, what the topic's hook records with them
Record = tuple[int, dict[str, Any], Callable[[AsyncSession], Awaitable[None]] | None]

# A crashed holder's messages go again after this; every sender gives up sooner (Slack 10 s,
# webhooks 15 s, SMTP 20 s), so a live one is never doubled.
LEASE = timedelta(seconds=30)
LOUD_AFTER = 6  # a delivery failing this often is logged as an error, and still retried
BATCH = 16  # leased at once: sent in two rounds at most, well within the lease
SENDING_AT_ONCE = 8  # lanes sent side by side
RECORD_TRIES = 10  # a second apart: well within the lease


class TemporaryFailure(Exception):
    """Try again later (rate limit, 5xx, connection refused), after `retry_after` if given."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class PermanentFailure(Exception):
    """This delivery can never succeed (channel not found, bad address): stop trying."""


def backoff(attempts: int) -> timedelta:
    """5 s, 10 s, 20 s, ... at most 1 hour between tries; temporary failures are retried until
    they succeed (a mail server down over a weekend still gets the message on Monday). The
    first tries come soon: a message waiting holds back the rest of its lane."""
    return timedelta(seconds=min(5 * 2 ** max(attempts - 1, 0), 3600))


def enqueue(
    session: AsyncSession,
    route: str,
    topic: str,
    payload: Mapping[str, Any],
    dedupe_key: str,
    now: datetime,
    lane: str | None = None,
) -> None:
    """Add a delivery to the caller's transaction; the unique key makes a repeat a no-op error.
    Messages with the same `lane` go out one after the other, in the order they were added."""
    session.add(OutboxMessage(**outbox_row(route, topic, payload, dedupe_key, now, lane)))


def outbox_row(
    route: str,
    topic: str,
    payload: Mapping[str, Any],
    dedupe_key: str,
    now: datetime,
    lane: str | None = None,
) -> dict[str, Any]:
    return {
        "lane": lane[:191] if lane else None,
        "route": route,
        "topic": topic,
        "payload": json.dumps(payload, ensure_ascii=False, sort_keys=True),
        "dedupe_key": dedupe_key,
        "state": "pending",
        "attempts": 0,
        "next_attempt_at": now,
        "created_at": now,
    }


def enqueue_notice(
    session: AsyncSession,
    notice: Notice,
    topic: str,
    dedupe_key: str,
    now: datetime,
    lane: str | None = None,
) -> None:
    """Add a notice for the chat to the caller's transaction; `lane`: the chat channel or person
    it goes to, so that what goes there arrives in order."""
    enqueue(session, CHAT, topic, notice.payload(), dedupe_key, now, lane)


def _number(payload: Mapping[str, Any], key: str) -> int | None:
    """A notice's question id or escalation number, for the log."""
    value = payload.get(key)
    return value if isinstance(value, int) else None


class Outbox:
    def __init__(self, db: Database, clock: Clock = utcnow) -> None:
        self.db = db
        self.clock = clock
        self.senders: dict[str, Sender] = {}
        self.sent_hooks: dict[str, SentHook] = {}
        self._recording = Batches(self._write_records)
        self._adding = Batches(self._insert)
        self.after = 0  # deliver only messages with a higher id (see only_after) ...
        self.also: frozenset[int] = frozenset()  # ... and these (see take_over)

    def register(self, route: str, sender: Sender) -> None:
        self.senders[route] = sender

    def on_sent(self, topic: str, hook: SentHook) -> None:
        """Record more about a sent message of `topic` (a reply's ts on its question) in the
        transaction that records it sent: one transaction, not two."""
        self.sent_hooks[topic] = hook

    def attach(self, sender: Sender) -> None:
        """Let a channel adapter's sender deliver the notices for the chat."""
        self.register(CHAT, sender)

    async def add(
        self,
        route: str,
        topic: str,
        payload: Mapping[str, Any],
        key: str,
        lane: str | None = None,
    ) -> bool:
        """Queue a delivery on its own (not part of a state change), together with the others
        of the moment; False if `key` is queued already."""
        return await self._adding(outbox_row(route, topic, payload, key, self.clock(), lane))

    async def _insert(self, rows: list[dict[str, Any]]) -> list[bool]:
        return await insert_new(self.db, OutboxMessage, "dedupe_key", rows)

    async def deliver_due(self) -> int:
        """Send what is due on the routes that have a sender, the lanes side by side (each
        lane's first message only: the next goes when it is sent); the number sent."""
        sending = asyncio.Semaphore(SENDING_AT_ONCE)

        async def deliver(message: OutboxMessage) -> int:
            async with sending:
                return await self._deliver(message)

        return sum(await asyncio.gather(*(deliver(m) for m in await self._lease())))

    async def next_due(self) -> datetime | None:
        """When the earliest message that could go next is due: after a rate limit's
        Retry-After, a backoff, or the lease of a process that died sending it; None when
        nothing waits."""
        free_at = case(
            (
                OutboxMessage.locked_until > OutboxMessage.next_attempt_at,
                OutboxMessage.locked_until,
            ),
            else_=OutboxMessage.next_attempt_at,
        )
        async with self.db.session() as session:
            return await session.scalar(select(func.min(free_at)).where(*self._waiting()))

    def _ready(self, now: datetime) -> list[ColumnElement[bool]]:
        """Waiting on a route this process sends, first in its lane, and not leased."""
        return [
            *self._waiting(),
            or_(OutboxMessage.locked_until.is_(None), OutboxMessage.locked_until < now),
        ]

    def _waiting(self) -> list[ColumnElement[bool]]:
        """Waiting on a route this process sends, and first in its lane."""
        earlier = aliased(OutboxMessage)
        first_in_lane = or_(
            OutboxMessage.lane.is_(None),
            ~select(earlier.id)
            .where(
                earlier.lane == OutboxMessage.lane,
                earlier.state == "pending",
                earlier.id < OutboxMessage.id,
            )
            .exists(),
        )
        return [
            self._in_scope(),
            OutboxMessage.state == "pending",
            OutboxMessage.route.in_(list(self.senders)),
            first_in_lane,
        ]

    def _in_scope(self) -> ColumnElement[bool]:
        newer = OutboxMessage.id > self.after
        return or_(newer, OutboxMessage.id.in_(self.also)) if self.also else newer

    async def last_id(self) -> int:
        async with self.db.session() as session:
            return await session.scalar(select(func.max(OutboxMessage.id))) or 0

    async def only_after(self) -> int:
        """From now on deliver only what is queued from now on, and return the newest id before
        it: a command that runs one job leaves what was waiting to the running bot."""
        self.after = await self.last_id()
        return self.after

    async def take_over(self, key: str) -> OutboxMessage | None:
        """Deliver the message queued under `key` from now on too, though it is older than
        `only_after` (a command was asked to send it, and it was queued before): one waiting
        for a retry, or one that failed, is tried again now. The message as it was; None if
        there is none."""
        async with self.db.session() as session:
            message = await session.scalar(
                select(OutboxMessage).where(OutboxMessage.dedupe_key == key)
            )
            if message is None:
                return None
            if message.state != "sent":
                await session.execute(
                    update(OutboxMessage)
                    .where(OutboxMessage.id == message.id, OutboxMessage.state != "sent")
                    .values(state="pending", next_attempt_at=self.clock())
                    .execution_options(synchronize_session=False)
                )
                await session.commit()
        if message.state != "sent":
            self.also |= {message.id}
        return message

    async def in_scope(self) -> list[OutboxMessage]:
        """The messages this process delivers since `only_after` (and `take_over`), as they
        are now: which were sent, which failed, which wait."""
        async with self.db.session() as session:
            query = select(OutboxMessage).where(self._in_scope()).order_by(OutboxMessage.id)
            return list(await session.scalars(query))

    async def _lease(self) -> list[OutboxMessage]:
        """Take due messages for a while, so two processes never send the same one at once."""
        now = self.clock()
        async with self.db.session() as session:
            query = (
                select(OutboxMessage)
                .where(OutboxMessage.next_attempt_at <= now, *self._ready(now))
                .order_by(OutboxMessage.id)
                .limit(BATCH)
            )
            if not self.db.is_sqlite:
                query = query.with_for_update(skip_locked=True, of=OutboxMessage)
            taken = []
            for message in list(await session.scalars(query)):
                # Conditional, so that where SELECT ... FOR UPDATE is not available (SQLite)
                # a message another process leased meanwhile matches nothing.
                result = await session.execute(
                    update(OutboxMessage)
                    .where(
                        OutboxMessage.id == message.id,
                        OutboxMessage.state == "pending",
                        or_(
                            OutboxMessage.locked_until.is_(None),
                            OutboxMessage.locked_until < now,
                        ),
                    )
                    .values(locked_until=now + LEASE)
                    .execution_options(synchronize_session=False)
                )
                if result.rowcount == 1:
                    taken.append(message)  # its locked_until: an expired lease, or None
            await session.commit()
        return taken

    async def _write_records(self, records: list[Record]) -> list[None]:
        async with self.db.session() as session:
            for message_id, values, also in records:
                await session.execute(
                    update(OutboxMessage).where(OutboxMessage.id == message_id).values(**values)
                )
                if also is not None:
                    await also(session)
            await session.commit()
        return [None] * len(records)

    async def _deliver(self, message: OutboxMessage) -> int:
        payload = json.loads(message.payload)
        delivery = Delivery(message.id, message.attempts, message.locked_until is not None)
        values: dict[str, Any] = {"locked_until": None, "attempts": message.attempts + 1}
        also: Callable[[AsyncSession], Awaitable[None]] | None = None
        try:
            with log_scope(
                question=_number(payload, "question"), escalation=_number(payload, "escalation")
            ):
                result = await self.senders[message.route](payload, delivery)
        except PermanentFailure as exc:
            log.error("outbox %d (%s) can't be delivered: %s", message.id, message.topic, exc)
            values.update(state="failed", last_error=str(exc))
        except Exception as exc:  # any other error: worth another try later
            retry = getattr(exc, "retry_after", None)
            wait = timedelta(seconds=retry) if retry is not None else backoff(message.attempts + 1)
            if message.attempts + 1 >= LOUD_AFTER:
                log_at = log.error
            else:  # a rate limit is Slack's pace, not a fault: worth a line, not a warning
                log_at = log.info if retry is not None else log.warning
            log_at(
                "outbox %d (%s) failed (attempt %d), retrying in %s: %s",
                message.id,
                message.topic,
                message.attempts + 1,
                wait,
                exc,
            )
            values.update(
                state="pending",
                last_error=str(exc) or type(exc).__name__,
                next_attempt_at=self.clock() + wait,
            )
        else:
            recorded = result.ts if isinstance(result, Posted) else result
            values.update(state="sent", sent_at=self.clock(), result=recorded, last_error=None)
            hook = self.sent_hooks.get(message.topic)
            if hook is not None:
                also = lambda session: hook(session, payload, result)  # noqa: E731
        await self._record(message.id, values, also)
        return int(values.get("state") == "sent")

    async def _record(
        self,
        message_id: int,
        values: dict[str, Any],
        also: Callable[[AsyncSession], Awaitable[None]] | None = None,
    ) -> None:
        """Record how a send went (and `also` what the topic's hook records), together with
        the other sends of the moment, trying for a while when the database is away: until it
        is recorded, the message's lease holds back its lane."""
        for attempt in range(RECORD_TRIES):
            try:
                await self._recording((message_id, values, also))
                return
            except Exception:
                if attempt + 1 == RECORD_TRIES:
                    raise
                if attempt == 0:
                    log.warning("outbox %d: can't record the send yet; trying again", message_id)
                await asyncio.sleep(1)
