"""A running firstline HTTP server on loopback, wired to the fake Slack Web API."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

import aiohttp
from aiohttp import web

from bot.app import Core, create_core
from bot.settings import Settings
from bot.store.models import utcnow
from handlers.slack import build_app
from handlers.slack.server import create_web_app
from tests.e2e.fake_slack import FakeSlackAPI
from tests.e2e.slack_requests import TEST_SIGNING_SECRET, Signed


@dataclass
class BotServer:
    core: Core
    slack: FakeSlackAPI
    url: str
    runner: web.AppRunner
    session: aiohttp.ClientSession

    async def send(self, signed: Signed, path: str = "/slack/events") -> aiohttp.ClientResponse:
        body, headers = signed
        response = await self.session.post(self.url + path, data=body.encode(), headers=headers)
        await response.read()
        return response

    async def get(self, path: str) -> tuple[int, Any]:
        async with self.session.get(self.url + path) as response:
            return response.status, await response.json()

    async def close(self) -> None:
        await self.session.close()
        await self.runner.cleanup()
        await self.core.close()


async def start_bot(
    settings: Settings, slack: FakeSlackAPI, clock: Callable[[], datetime] = utcnow
) -> BotServer:
    settings = replace(
        settings,
        slack_bot_token="xoxb-test-token",
        slack_signing_secret=TEST_SIGNING_SECRET,
        slack_api_url=slack.url,
    )
    core = await create_core(settings, clock)
    runner = web.AppRunner(create_web_app(build_app(core), core))
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    return BotServer(core, slack, f"http://127.0.0.1:{port}", runner, aiohttp.ClientSession())
