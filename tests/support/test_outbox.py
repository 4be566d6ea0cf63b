"""The outbox: retries with backoff, no loss, no double sending; real SMTP and webhook peers."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from email import message_from_bytes
from typing import Any

import pytest_asyncio
from aiohttp import web
from aiosmtpd.controller import Controller
from sqlalchemy import select

from bot.app import Core, create_core
from bot.settings import Smtp
from bot.store.models import OutboxMessage
from bot.support.delivery import email_sender, webhook_sender
from bot.support.outbox import Delivery, Outbox, PermanentFailure, TemporaryFailure, enqueue
from tests.conftest import START, Clock, make_settings
from tests.e2e.test_run_process import free_port


@pytest_asyncio.fixture
async def core(database_url: str) -> AsyncIterator[Core]:
    core = await create_core(make_settings(database_url))
    yield core
    await core.close()


async def add(core: Core, route: str, payload: dict[str, Any], key: str) -> None:
    async with core.db.session() as session:
        enqueue(session, route, "test", payload, key, START)
        await session.commit()


async def rows(core: Core) -> list[OutboxMessage]:
    async with core.db.session() as session:
        return list(await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


async def test_retries_with_backoff_until_it_goes_through(core: Core) -> None:
    clock = Clock()
    outbox = Outbox(core.db, clock)
    attempts: list[dict] = []

    async def flaky(payload: dict[str, Any], _delivery: Delivery) -> str:
        attempts.append(payload)
        if len(attempts) < 3:
            raise TemporaryFailure("HTTP 503")
        return "ok"

    outbox.register("slack", flaky)
    await add(core, "slack", {"n": 1}, "k1")
    assert await outbox.deliver_due() == 0
    assert await outbox.deliver_due() == 0  # not due again yet: backoff
    clock.now += timedelta(seconds=5)
    assert await outbox.deliver_due() == 0
    clock.now += timedelta(seconds=9)
    assert await outbox.deliver_due() == 0 and len(attempts) == 2
    clock.now += timedelta(seconds=1)
    assert await outbox.deliver_due() == 1
    [row] = await rows(core)
    assert (row.state, row.attempts, row.result) == ("sent", 3, "ok")
    clock.now += timedelta(hours=1)
    assert await outbox.deliver_due() == 0 and len(attempts) == 3


async def test_temporary_failures_are_retried_however_long_they_last(core: Core) -> None:
    clock = Clock()
    outbox = Outbox(core.db, clock)

    async def down(_payload: dict[str, Any], _delivery: Delivery) -> str:
        raise TemporaryFailure("connection refused")

    outbox.register("email", down)
    await add(core, "email", {"n": 1}, "k1")
    for _ in range(60):  # 60 attempts, about two and a half days
        await outbox.deliver_due()
        clock.now += timedelta(hours=1)
    [row] = await rows(core)
    assert (row.state, row.attempts) == ("pending", 60)


async def test_permanent_failures_stop_and_routes_without_sender_wait(core: Core) -> None:
    outbox = Outbox(core.db, Clock())

    async def refuses(_payload: dict[str, Any], _delivery: Delivery) -> str:
        raise PermanentFailure("channel_not_found")

    outbox.register("slack", refuses)
    await add(core, "slack", {"n": 1}, "k1")
    await add(core, "email", {"n": 2}, "k2")
    await outbox.deliver_due()
    states = {row.route: (row.state, row.last_error) for row in await rows(core)}
    assert states == {"slack": ("failed", "channel_not_found"), "email": ("pending", None)}


async def test_two_processes_never_send_the_same_message(core: Core) -> None:
    sent: list[int] = []

    async def slow(payload: dict[str, Any], _delivery: Delivery) -> str:
        await asyncio.sleep(0.01)
        sent.append(payload["n"])
        return "ok"

    for n in range(20):
        await add(core, "slack", {"n": n}, f"k{n}")
    first, second = Outbox(core.db, Clock()), Outbox(core.db, Clock())
    first.register("slack", slow)
    second.register("slack", slow)
    total = 0
    while counts := await asyncio.gather(first.deliver_due(), second.deliver_due()):
        if not sum(counts):
            break
        total += sum(counts)
    assert total == 20
    assert sorted(sent) == list(range(20))


async def test_email_to_a_real_smtp_server(core: Core) -> None:
    received: list[Any] = []

    class Handler:
        async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:
            received.append(envelope)
            return "250 OK"

    port = free_port()
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        smtp = Smtp(host="127.0.0.1", port=port, sender="firstline@nordvik.example", starttls=False)
        outbox = Outbox(core.db, Clock())
        outbox.register("email", email_sender(smtp))
        payload = {
            "to": "support@fenix.example",
            "subject": "[firstline #7] Ekonomi: valuta",
            "body": "Fråga: Hur bokför jag i dollar?",
            "message_id": "<firstline-7-1@firstline>",
        }
        await add(core, "email", payload, "mail")
        assert await outbox.deliver_due() == 1
    finally:
        controller.stop()
    [envelope] = received
    assert envelope.rcpt_tos == ["support@fenix.example"]
    message = message_from_bytes(envelope.content)
    assert message["Subject"] == "[firstline #7] Ekonomi: valuta"
    assert message["Message-ID"] == "<firstline-7-1@firstline>"
    assert "Hur bokför jag i dollar?" in message.get_payload(decode=True).decode()


async def test_smtp_down_is_retried_not_lost(core: Core) -> None:
    clock = Clock()
    outbox = Outbox(core.db, clock)
    outbox.register("email", email_sender(Smtp(host="127.0.0.1", port=free_port(), starttls=False)))
    await add(core, "email", {"to": "a@b.c", "subject": "s", "body": "b", "message_id": "<m>"}, "m")
    assert await outbox.deliver_due() == 0
    [row] = await rows(core)
    assert row.state == "pending" and row.attempts == 1 and "SMTP 127.0.0.1" in row.last_error


async def test_webhook_with_idempotency_key_and_retry_after(core: Core) -> None:
    calls: list[tuple[dict, str]] = []

    async def hook(request: web.Request) -> web.Response:
        calls.append((await request.json(), request.headers["Idempotency-Key"]))
        if len(calls) == 1:
            return web.Response(status=503, headers={"Retry-After": "5"})
        return web.Response(status=202)

    app = web.Application()
    app.router.add_post("/hooks/tickets", hook)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        clock = Clock()
        outbox = Outbox(core.db, clock)
        outbox.register("webhook", webhook_sender(f"http://127.0.0.1:{port}/hooks/tickets"))
        await add(core, "webhook", {"body": {"ticket": "#7"}, "key": "fl-1"}, "w")
        assert await outbox.deliver_due() == 0
        [row] = await rows(core)
        assert row.next_attempt_at == START + timedelta(seconds=5)
        clock.now += timedelta(seconds=5)
        assert await outbox.deliver_due() == 1
    finally:
        await runner.cleanup()
    assert calls == [({"ticket": "#7"}, "fl-1"), ({"ticket": "#7"}, "fl-1")]


async def test_one_lane_goes_in_order_and_a_rate_limit_holds_back_only_that_lane(
    core: Core,
) -> None:
    clock = Clock()
    outbox = Outbox(core.db, clock)
    sent: list[str] = []
    limited = {"C1:1"}

    async def chat(payload: dict[str, Any], _delivery: Delivery) -> str:
        if payload["id"] in limited:
            limited.discard(payload["id"])
            raise TemporaryFailure("ratelimited", retry_after=3)
        sent.append(payload["id"])
        return "ok"

    outbox.register("slack", chat)
    async with core.db.session() as session:
        for lane, n in [("C1", 1), ("C1", 2), ("C2", 1), ("C1", 3), ("C2", 2)]:
            enqueue(session, "slack", "reply", {"id": f"{lane}:{n}"}, f"{lane}:{n}", START, lane)
        await session.commit()
    assert await outbox.deliver_due() == 1  # C1:1 is rate limited; C2:1 goes
    assert await outbox.deliver_due() == 1  # C2:2; C1 waits for its Retry-After, no longer
    assert await outbox.deliver_due() == 0
    assert await outbox.next_due() == START + timedelta(seconds=3)
    clock.advance(seconds=3)
    while await outbox.deliver_due():
        pass
    assert sent == ["C2:1", "C2:2", "C1:1", "C1:2", "C1:3"]


async def test_the_core_delivers_a_held_back_message_when_it_is_due(core: Core) -> None:
    posted = asyncio.Event()
    tries: list[float] = []

    async def chat(payload: dict[str, Any], _delivery: Delivery) -> str:
        tries.append(asyncio.get_running_loop().time())
        if len(tries) == 1:
            raise TemporaryFailure("ratelimited", retry_after=0.3)
        posted.set()
        return "ok"

    core.outbox.register("slack", chat)
    await core.outbox.add("slack", "reply", {"id": 1}, "k", lane="C1")
    core.kick()
    await asyncio.wait_for(posted.wait(), 5)  # not at the 10-second outbox job
    assert len(tries) == 2 and tries[1] - tries[0] >= 0.25
