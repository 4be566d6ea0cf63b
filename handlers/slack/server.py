"""HTTP mode: an aiohttp server with Slack's request URL and a health check.

Every request to the Slack URL is checked here before Bolt sees it, so what isn't Slack's gets a
4xx and a line in the log, never a 500 and a traceback:

- its signature (`X-Slack-Signature` over the body, with `X-Slack-Request-Timestamp` at most five
  minutes off): otherwise 401, as Bolt answers (Bolt checks it again);
- its body: UTF-8 JSON or form fields (a `payload` field of JSON for buttons and forms) that
  make an object, as Bolt reads them: otherwise 400 (401 when it isn't signed either);
- a signed command, button or form sent a second time (a replay; Slack sends each once): 409.
  Events are not checked here: Slack retries them, and the desk knows a retry by its event id.
  The signatures seen are kept in this process for as long as their timestamp is accepted.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from collections.abc import Callable, Mapping
from typing import Any

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.request.internals import parse_body

from bot.app import Core
from bot.ops.metrics import CONTENT_TYPE as METRICS_CONTENT_TYPE

log = logging.getLogger(__name__)

SLACK_PATH = "/slack/events"
MAX_AGE = 5 * 60  # seconds a request's timestamp may be off (Slack's and Bolt's rule)
FORM = "application/x-www-form-urlencoded"


class Replays:
    """The signatures of the signed commands and interactions seen while their timestamps are
    still accepted: a second request with one of them is a replay."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self.clock = clock
        self._seen: dict[str, float] = {}  # signature -> when its timestamp expires
        self._next_purge = 0.0

    def first_time(self, timestamp: str, signature: str) -> bool:
        now = self.clock()
        if now >= self._next_purge:
            self._seen = {s: until for s, until in self._seen.items() if until >= now}
            self._next_purge = now + 60
        if signature in self._seen:
            return False
        self._seen[signature] = int(timestamp) + MAX_AGE + 1
        return True


def _header(headers: Mapping[str, str], name: str) -> str:
    return headers.get(name) or ""


def _signed(secret: str | None, raw: bytes, headers: Mapping[str, str]) -> bool:
    """Whether Slack signed this body, as Bolt checks it (over the bytes, so a body that isn't
    UTF-8 is simply not signed rather than an error)."""
    if not secret:  # Bolt refuses to start in HTTP mode without a signing secret
        return False
    timestamp = _header(headers, "X-Slack-Request-Timestamp")
    signature = _header(headers, "X-Slack-Signature")
    if not timestamp.isdecimal() or len(timestamp) > 12 or not signature:
        return False
    if abs(time.time() - int(timestamp)) > MAX_AGE:
        return False
    base = b"v0:" + timestamp.encode() + b":" + raw
    expected = "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected.encode(), signature.encode("utf-8", "replace"))


def _parse(raw: bytes, content_type: str) -> dict[str, Any] | None:
    """The body as Bolt reads it, or None when it is not text, JSON or form fields, or does not
    make an object (a JSON list, a string; an event that isn't one)."""
    try:
        body = parse_body(raw.decode("utf-8"), content_type)
    except (UnicodeDecodeError, ValueError):
        return None
    if not isinstance(body, dict):
        return None
    for part in ("event", "user", "team", "view", "container", "channel", "message"):
        if part in body and not isinstance(body[part], dict | None):
            return None
    if "actions" in body and not (
        isinstance(body["actions"], list) and all(isinstance(a, dict) for a in body["actions"])
    ):
        return None
    return body


def _refuse(status: int, error: str) -> web.Response:
    return web.json_response({"error": error}, status=status)


def create_web_app(bolt: AsyncApp, core: Core) -> web.Application:
    secret = core.settings.slack_signing_secret
    replays = Replays()

    async def slack_events(request: web.Request) -> web.Response:
        raw = await request.read()
        signed = _signed(secret, raw, request.headers)
        body = _parse(raw, request.content_type)
        if body is None:
            if not signed:
                return _refuse(401, "invalid request")
            log.warning(
                "refused a signed request whose body Slack would not send (%s, %d bytes)",
                request.content_type,
                len(raw),
            )
            return _refuse(400, "the body is not a Slack request")
        if not signed and body.get("ssl_check") != "1":  # Bolt answers ssl_check itself
            log.info("refused a request without a valid Slack signature")
            return _refuse(401, "invalid request")
        if signed and request.content_type == FORM and body.get("ssl_check") != "1":
            timestamp = _header(request.headers, "X-Slack-Request-Timestamp")
            if not replays.first_time(timestamp, _header(request.headers, "X-Slack-Signature")):
                kind = body.get("command") or body.get("type") or "request"
                log.warning("refused a replayed Slack request (%s)", json.dumps(kind)[:60])
                return _refuse(409, "replayed request")
        bolt_request = AsyncBoltRequest(
            body=raw.decode("utf-8"), query=request.query_string, headers=request.headers
        )
        bolt_response = await bolt.async_dispatch(bolt_request)
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

    async def metrics(_request: web.Request) -> web.Response:
        body = await core.metrics.exposition(core.db, core.ladder.clock())
        return web.Response(body=body, headers={"Content-Type": METRICS_CONTENT_TYPE})

    web_app = web.Application()
    web_app.add_routes(
        [
            web.post(SLACK_PATH, slack_events),
            web.get("/healthz", healthz),
            web.get("/metrics", metrics),
        ]
    )
    return web_app
