"""A fake Bot Connector (the Teams side of the Bot Framework REST API) served by a real aiohttp
server on 127.0.0.1: it records what the bot posts into conversations and the cards it updates,
and answers as the connector does (`{"id": ...}`), for the Teams e2e tests."""

from __future__ import annotations

import asyncio
import itertools
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web


@dataclass
class Sent:
    """One request the bot made: POST (a new message or a reply) or PUT (an update)."""

    method: str
    conversation: str
    reply_to: str | None  # POST .../activities/{id}: a reply to that message; PUT: the message
    activity: dict[str, Any]
    authorization: str | None
    id: str = ""

    @property
    def card(self) -> dict[str, Any] | None:
        for attachment in self.activity.get("attachments") or []:
            if attachment.get("contentType") == "application/vnd.microsoft.card.adaptive":
                return attachment["content"]
        return None

    @property
    def texts(self) -> list[str]:
        """Every text a person sees: the message's, the card's text blocks and facts."""
        found = [self.activity["text"]] if self.activity.get("text") else []
        card = self.card or {}
        for block in card.get("body", []):
            if block.get("type") == "TextBlock":
                found.append(block["text"])
            for fact in block.get("facts", []):
                found.append(f"{fact['title']}: {fact['value']}")
        return found

    @property
    def buttons(self) -> list[tuple[str, dict[str, Any]]]:
        return [(a["title"], a.get("data", {})) for a in (self.card or {}).get("actions", [])]


@dataclass
class FakeConnector:
    sent: list[Sent] = field(default_factory=list)
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))
    _changed: asyncio.Condition | None = None
    _runner: web.AppRunner | None = None
    url: str = ""

    async def __aenter__(self) -> FakeConnector:
        self._changed = asyncio.Condition()
        app = web.Application()
        path = "/v3/conversations/{conversation}/activities"
        app.add_routes(
            [
                web.post(path, self._post),
                web.post(path + "/{activity}", self._post),
                web.put(path + "/{activity}", self._put),
            ]
        )
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}/"
        return self

    async def __aexit__(self, *_: object) -> None:
        assert self._runner is not None
        await self._runner.cleanup()

    async def _record(self, request: web.Request, method: str) -> Sent:
        sent = Sent(
            method,
            request.match_info["conversation"],
            request.match_info.get("activity"),
            await request.json(),
            request.headers.get("Authorization"),
        )
        sent.id = sent.reply_to if method == "PUT" and sent.reply_to else f"bot-{next(self._ids)}"
        assert self._changed is not None
        async with self._changed:
            self.sent.append(sent)
            self._changed.notify_all()
        return sent

    async def _post(self, request: web.Request) -> web.Response:
        sent = await self._record(request, "POST")
        return web.json_response({"id": sent.id}, status=201)

    async def _put(self, request: web.Request) -> web.Response:
        sent = await self._record(request, "PUT")
        return web.json_response({"id": sent.id})

    def messages(self, method: str | None = None) -> list[Sent]:
        """What the bot sent (typing indicators left out), of one method if given."""
        return [
            s
            for s in self.sent
            if s.activity.get("type") == "message" and (method is None or s.method == method)
        ]

    async def wait_for(
        self, count: int = 1, method: str | None = None, timeout: float = 10
    ) -> list[Sent]:
        assert self._changed is not None
        async with self._changed:
            await asyncio.wait_for(
                self._changed.wait_for(lambda: len(self.messages(method)) >= count), timeout
            )
        return self.messages(method)
