"""`firstline run`: Socket Mode when SLACK_APP_TOKEN is set, otherwise HTTP on PORT."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

import aiohttp
from aiohttp import web
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_slack_response import AsyncSlackResponse

from bot.app import Core, create_core
from bot.ops.leader import Leader
from bot.ops.scheduler import build_scheduler, catch_up
from bot.settings import Settings, SettingsError
from handlers.slack import build_app, signed_in
from handlers.slack.server import SLACK_PATH, create_web_app
from handlers.teams.identity import AUTH_OFF_WARNING
from handlers.teams.identity import PATH as TEAMS_PATH

if TYPE_CHECKING:
    from handlers.teams.app import TeamsBot

log = logging.getLogger(__name__)


async def run_slack(settings: Settings, host: str = "0.0.0.0") -> int:
    core = await create_core(settings)
    try:
        bolt = build_app(core)
        await _check_tokens(bolt, settings)
        teams: TeamsBot | None = None
        if settings.teams is not None:
            from handlers.teams.app import build_teams

            teams = build_teams(core, settings.teams)
            if settings.teams.auth_off:
                log.warning(AUTH_OFF_WARNING)
                host = "127.0.0.1"
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        leader = Leader(core.db, on_lead=lambda: catch_up(core))
        await leader.start()
        core.metrics.gauge(
            "firstline_scheduler_leader",
            "1 while this process is the one that runs the scheduled jobs, else 0.",
        ).set_function(lambda: int(leader.is_leader))
        scheduler = build_scheduler(core, leader)
        scheduler.start()
        core.kick()  # deliver what a previous run left in the outbox
        try:
            if settings.socket_mode:
                teams_server = await _serve(web.Application(), teams, settings, host)
                try:
                    await _socket_mode(bolt, settings, stop)
                finally:
                    if teams_server is not None:
                        await teams_server.cleanup()
            else:
                await _http_mode(bolt, core, settings, host, stop, teams)
        finally:
            scheduler.shutdown(wait=False)
            await leader.stop()
    finally:
        await core.close()
    log.info("firstline stopped")
    return 0


async def _check_tokens(bolt: AsyncApp, settings: Settings) -> None:
    """Ask Slack once at start: a wrong token is one clear line, not a failure per event."""
    auth = await _slack_call("SLACK_BOT_TOKEN", signed_in(bolt).auth_test, bolt)
    channels = ", ".join(sorted(settings.support_channels)) or "none configured"
    log.info(
        "signed in to %s as %s; support channels: %s (DMs and @mentions always)",
        auth.get("team"),
        auth.get("user"),
        channels,
    )
    if settings.socket_mode:
        token = settings.slack_app_token
        await _slack_call(
            "SLACK_APP_TOKEN", lambda: bolt.client.apps_connections_open(app_token=token), bolt
        )


async def _slack_call(
    setting: str, call: Callable[[], Awaitable[AsyncSlackResponse]], bolt: AsyncApp
) -> AsyncSlackResponse:
    try:
        return await call()
    except SlackApiError as exc:
        response = exc.response
        if not isinstance(response.data, dict):  # a web page, not the Web API's JSON
            method = response.api_url.rsplit("/", 1)[-1]
            raise SettingsError(
                f"SLACK_API_URL {bolt.client.base_url} does not answer as the Slack Web API "
                f"(HTTP {response.status_code} from {method}): it should be "
                "https://slack.com/api/ or what stands in for it"
            ) from exc
        raise SettingsError(f"Slack refused {setting}: {response.get('error')}") from exc
    except (aiohttp.ClientError, OSError, TimeoutError) as exc:
        raise SettingsError(f"cannot reach Slack at {bolt.client.base_url}: {exc}") from exc


async def _socket_mode(bolt: AsyncApp, settings: Settings, stop: asyncio.Event) -> None:
    handler = AsyncSocketModeHandler(bolt, settings.slack_app_token)
    connect = asyncio.create_task(handler.connect_async())
    stopped = asyncio.create_task(stop.wait())
    await asyncio.wait({connect, stopped}, return_when=asyncio.FIRST_COMPLETED)
    if connect.done():
        connect.result()
        log.info("firstline is connected to Slack in Socket Mode")
        await stopped
    connect.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await connect
    await handler.close_async()


async def _http_mode(
    bolt: AsyncApp,
    core: Core,
    settings: Settings,
    host: str,
    stop: asyncio.Event,
    teams: TeamsBot | None,
) -> None:
    runner = await _serve(create_web_app(bolt, core), teams, settings, host)
    assert runner is not None
    log.info(
        "firstline is listening on http://%s:%d%s (health: /healthz)%s",
        host,
        settings.port,
        SLACK_PATH,
        f", Teams at {TEAMS_PATH}" if teams else "",
    )
    await stop.wait()
    await runner.cleanup()


async def _serve(
    app: web.Application, teams: TeamsBot | None, settings: Settings, host: str
) -> web.AppRunner | None:
    """Serve `app` (and Teams in it) on PORT; None when there is nothing to serve (Socket Mode
    without Teams)."""
    if teams is not None:
        teams.serve(app)
    if not app.router.routes():
        return None
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    try:
        await web.TCPSite(runner, host, settings.port).start()
    except OSError as exc:
        await runner.cleanup()
        raise SettingsError(f"cannot listen on port {settings.port}: {exc.strerror}") from exc
    if teams is not None:
        log.info("Teams is served at http://%s:%d%s", host, settings.port, TEAMS_PATH)
    return runner
