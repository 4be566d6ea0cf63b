"""HTTP mode: an aiohttp server with Slack's request URL and a health check."""

from __future__ import annotations

import logging

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp

from bot.app import Core

log = logging.getLogger(__name__)

SLACK_PATH = "/slack/events"


def create_web_app(bolt: AsyncApp, core: Core) -> web.Application:
    async def slack_events(request: web.Request) -> web.Response:
        bolt_response = await bolt.async_dispatch(await to_bolt_request(request))
        return await to_aiohttp_response(bolt_response)

    async def healthz(_request: web.Request) -> web.Response:
        if not await core.db.ping():
            log.error("health check: the database does not answer")
            return web.json_response({"status": "error", "database": "unreachable"}, status=503)
        return web.json_response(
            {
                "status": "ok",
                "database": "ok",
                "faq_entries": len(core.knowledge.base.entries),
                "knowledge_problems": len(core.knowledge.base.problems),
            }
        )

    web_app = web.Application()
    web_app.add_routes([web.post(SLACK_PATH, slack_events), web.get("/healthz", healthz)])
    return web_app
