"""Uptime checks against real aiohttp servers on loopback playing the ERP and integrations."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import timedelta

import pytest_asyncio
from aiohttp import web
from sqlalchemy import select

from bot.app import Core, create_core
from bot.ops.uptime import DOWN, UP, Uptime, probe
from bot.settings import Check, Ops
from bot.store.models import OutboxMessage
from tests.conftest import Clock, make_settings


class Erp:
    """A fake ERP web client / API whose behaviour the test switches."""

    def __init__(self) -> None:
        self.mode = "up"

    async def handle(self, _request: web.Request) -> web.Response:
        if self.mode == "slow":
            await asyncio.sleep(5)
        if self.mode == "down":
            return web.Response(status=503, text="Service Unavailable")
        if self.mode == "wrong":
            return web.Response(text="<html>Maintenance page</html>")
        if self.mode == "degraded":
            return web.json_response({"status": "degraded", "db": {"ok": False}})
        return web.json_response({"status": "ok", "product": "Business Central"})


@pytest_asyncio.fixture
async def erp() -> AsyncIterator[tuple[Erp, str]]:
    fake = Erp()
    app = web.Application()
    app.router.add_get("/health", fake.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    yield fake, f"http://127.0.0.1:{port}/health"
    await runner.cleanup()


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def test_probe_reports_what_failed(erp: tuple[Erp, str]) -> None:
    fake, url = erp
    check = Check("erp", "BC", url=url, expect_text="Business Central", timeout=1, interval=60)
    assert (await probe(check)).ok
    fake.mode = "down"
    assert (await probe(check)).error == "HTTP 503 (expected 200)"
    fake.mode = "wrong"
    assert (await probe(check)).error == "the page does not contain 'Business Central'"
    fake.mode = "degraded"
    api = replace(check, expect_text=None, expect_json=("status", "ok"))
    assert (await probe(api)).error == "JSON status is 'degraded' (expected 'ok')"
    fake.mode = "slow"
    result = await probe(check)
    assert result.error == "no answer within 1 s" and result.latency_ms is not None
    assert result.latency_ms < 2500  # bounded by the timeout, not by the server
    refused = Check("edi", "EDI", tcp=("127.0.0.1", closed_port()), timeout=1, interval=60)
    assert (await probe(refused)).error.startswith("TCP 127.0.0.1:")
    bad_url = Check("x", "X", url=f"http://127.0.0.1:{closed_port()}/", timeout=1, interval=60)
    assert (await probe(bad_url)).error.startswith("cannot connect")


@pytest_asyncio.fixture
async def core(database_url: str, erp: tuple[Erp, str]) -> AsyncIterator[Core]:
    _, url = erp
    check = Check("erp-web", "Business Central webbklient", url=url, timeout=1, interval=60)
    ops = Ops(channel="C0OPS", uptime_owner="U0DRIFT", checks=(check,))
    core = await create_core(make_settings(database_url, ops=ops))
    yield core
    await core.close()


async def alerts(core: Core) -> list[dict]:
    async with core.db.session() as session:
        rows = await session.scalars(select(OutboxMessage).where(OutboxMessage.topic == "uptime"))
        return [json.loads(r.payload) for r in rows]


async def test_down_after_n_failures_up_after_m_and_repeats(
    core: Core, erp: tuple[Erp, str]
) -> None:
    fake, _ = erp
    clock = Clock()
    uptime = Uptime(core.settings, core.db, clock)
    await uptime.run("erp-web")
    fake.mode = "down"
    for _ in range(2):
        clock.now += timedelta(minutes=1)
        await uptime.run("erp-web")
    assert await alerts(core) == []  # two failures: not yet (fail_after = 3)
    clock.now += timedelta(minutes=1)
    await uptime.run("erp-web")
    [down] = await alerts(core)
    assert down["kind"] == "uptime_down" and down["owner"] == "U0DRIFT"
    assert down["text"] == (
        "Business Central webbklient är nere sedan 2026-11-03 10:01 (2 min): "
        "HTTP 503 (expected 200)."
    )
    for _ in range(30):  # half an hour down: no new alert yet
        clock.now += timedelta(minutes=1)
        await uptime.run("erp-web")
    assert len(await alerts(core)) == 1
    clock.now += timedelta(minutes=30)
    await uptime.run("erp-web")
    assert [a["kind"] for a in await alerts(core)] == ["uptime_down", "uptime_still_down"]

    fake.mode = "up"
    clock.now += timedelta(minutes=1)
    await uptime.run("erp-web")  # one success is not enough (recover_after = 2)
    assert len(await alerts(core)) == 2
    fake.mode = "down"
    clock.now += timedelta(minutes=1)
    await uptime.run("erp-web")  # flapping: still down, no alert
    fake.mode = "up"
    for _ in range(2):
        clock.now += timedelta(minutes=1)
        await uptime.run("erp-web")
    kinds = [a["kind"] for a in await alerts(core)]
    assert kinds == ["uptime_down", "uptime_still_down", "uptime_recovered"]
    recovered = (await alerts(core))[-1]
    assert recovered["text"].startswith("Business Central webbklient fungerar igen efter 1 h 6 min")

    [status] = await uptime.status()
    assert status.status == UP
    runs, ok_runs = 39, 4  # 1 up, 34 down, 1 up, 1 down, 2 up
    assert status.uptime["24 h"] == ok_runs / runs
    clock.now += timedelta(days=2)
    assert (await uptime.status())[0].uptime["24 h"] is None
    assert (await uptime.status())[0].uptime["7 d"] == ok_runs / runs


async def test_status_of_a_check_that_is_down(core: Core, erp: tuple[Erp, str]) -> None:
    fake, _ = erp
    fake.mode = "down"
    uptime = Uptime(core.settings, core.db, Clock())
    for _ in range(3):
        await uptime.run("erp-web")
    [status] = await uptime.status()
    assert status.status == DOWN and status.down_since is not None
    assert status.last_error == "HTTP 503 (expected 200)"
    assert status.uptime["24 h"] == 0.0
