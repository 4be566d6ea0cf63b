"""`firstline run`: Socket Mode when SLACK_APP_TOKEN is set, otherwise HTTP on PORT."""

from __future__ import annotations

import asyncio
import logging
import signal

from aiohttp import web
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

from bot.app import create_core
from bot.settings import Settings, SettingsError
from handlers.slack import build_app
from handlers.slack.server import SLACK_PATH, create_web_app

log = logging.getLogger(__name__)


async def run_slack(settings: Settings, host: str = "0.0.0.0") -> int:
    core = await create_core(settings)
    bolt = build_app(core)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        if settings.socket_mode:
            handler = AsyncSocketModeHandler(bolt, settings.slack_app_token)
            await handler.connect_async()
            log.info("firstline is connected to Slack in Socket Mode")
            await stop.wait()
            await handler.close_async()
        else:
            runner = web.AppRunner(create_web_app(bolt, core), access_log=None)
            await runner.setup()
            try:
                await web.TCPSite(runner, host, settings.port).start()
            except OSError as exc:
                await runner.cleanup()
                raise SettingsError(
                    f"cannot listen on port {settings.port}: {exc.strerror}"
                ) from exc
            log.info(
                "firstline is listening on http://%s:%d%s (health: /healthz)",
                host,
                settings.port,
                SLACK_PATH,
            )
            await stop.wait()
            await runner.cleanup()
    finally:
        await core.close()
    log.info("firstline stopped")
    return 0
