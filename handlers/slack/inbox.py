"""Slack's requests into the core's inbox: a message or mention the bot must handle, a `/support`
command and a button press are written to the database before Slack gets its 200, and a worker
handles them from there (commands and buttons before the questions that wait).

Slack never resends an event that got its 200, so one that can't be written gets a 503 and
Slack sends it again (it retries three times over about an hour). A retry of one already written
is acknowledged and dropped (the inbox knows its event id). When many questions wait, the asker
is told in the thread when to expect the answer. Slack doesn't resend a command or a button
press: one that can't be written is refused there and then (the command says so in words).

A kept command or button press is handled by dispatching it through the same Bolt app again,
marked as replayed, so it reaches the listeners it would have reached. Form submissions and
shortcuts are not kept: a form's errors must be in the reply to the submission itself (the
action commits before that reply, so a submission Slack saw succeed is never lost), and a
shortcut only opens a form, which Slack allows only within 3 seconds.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.web.async_client import AsyncWebClient

from bot.app import Core
from bot.faq.text import detect_language
from bot.logs import bind
from bot.support.inbox import Handler
from bot.support.notices import ReplyNotice
from bot.texts import t
from handlers.slack.answering import question_text
from handlers.slack.events import mention_to_answer, on_app_mention
from handlers.slack.identity import ROUTE
from handlers.slack.messages import on_message, worth_handling

log = logging.getLogger(__name__)

KIND = "slack_event"
INTERACTION = "slack_interaction"
REPLAYED = "firstline_replayed"  # in the context of a kept request dispatched by a worker
DEPTH_EVERY_SECONDS = 1.0  # how often the inbox's depth is counted again for the busy notice


def kept(core: Core, body: dict[str, Any], bot_user_id: str | None) -> dict[str, Any] | None:
    """The event of an Events API request that the bot must handle, if it is one."""
    if body.get("type") != "event_callback" or not isinstance(body.get("event"), dict):
        return None
    event = body["event"]
    if event.get("type") == "app_mention" and mention_to_answer(event, bot_user_id):
        return event
    if event.get("type") == "message" and worth_handling(core, event, bot_user_id):
        return event
    return None


def interaction(body: dict[str, Any]) -> tuple[str, str] | None:
    """(id, lane) of a `/support` command or a button press; its lane is the person's, so that
    their presses are handled in the order they made them."""
    trigger = body.get("trigger_id")
    if not isinstance(trigger, str) or not trigger:
        return None
    if isinstance(body.get("command"), str):
        return f"command:{trigger}", f"{ROUTE}:user:{body.get('user_id')}"
    if body.get("type") == "block_actions":
        user = body.get("user") if isinstance(body.get("user"), dict) else {}
        return f"action:{trigger}", f"{ROUTE}:user:{user.get('id')}"
    return None


class _Depth:
    """The inbox's depth, counted at most once a second however many events arrive."""

    def __init__(self, core: Core) -> None:
        self.core = core
        self.counted_at = 0.0
        self.value = 0

    async def now(self) -> int:
        if time.monotonic() - self.counted_at > DEPTH_EVERY_SECONDS:
            self.counted_at = time.monotonic()
            self.value = await self.core.inbox.depth()
        return self.value


Middleware = Callable[..., Awaitable[BoltResponse | None]]


class _Outage:
    """Whether the database refused the last request: said once in the log when it starts and
    once when it ends, however many requests come in between."""

    def __init__(self, what: str, meanwhile: str) -> None:
        self.what = what
        self.meanwhile = meanwhile
        self.since: float | None = None

    def failed(self, key: str) -> None:
        if self.since is None:
            self.since = time.monotonic()
            log.exception(
                "the database can't keep Slack %s (first: %s); %s, until it can",
                self.what,
                key,
                self.meanwhile,
            )

    def kept(self) -> None:
        if self.since is not None:
            log.warning(
                "the database keeps Slack %s again, after %.0f s",
                self.what,
                time.monotonic() - self.since,
            )
            self.since = None


def inbox_middleware(core: Core) -> Middleware:
    depth = _Depth(core)
    outage = _Outage("events", "answering 503 so that Slack sends them again")

    async def keep(
        body: dict[str, Any],
        context: dict[str, Any],
        request: AsyncBoltRequest,
        next: Callable[[], Awaitable[None]],
    ) -> BoltResponse | None:
        bot_user_id = context.get("bot_user_id")
        event = kept(core, body, bot_user_id)
        if event is None:
            await next()
            return None
        event_id = str(body.get("event_id") or f"{event.get('channel')}:{event.get('ts')}")
        bind(request=event_id)
        payload = {"body": body, "bot_user_id": bot_user_id}
        try:
            new = await core.inbox.receive(
                event_id, KIND, f"{ROUTE}:{event.get('channel')}", payload
            )
        except Exception:
            outage.failed(event_id)
            if not request.headers.get("x-slack-retry-num"):  # once, not at every retry
                _tell_trouble(context.get("client"), event)
            return BoltResponse(status=503, body="")
        outage.kept()
        if new:
            waiting = await depth.now()
            if waiting > core.settings.busy_after:
                await _tell_busy(core, event, event_id, waiting)
        return BoltResponse(status=200, body="")

    return keep


def kept_first(core: Core) -> Middleware:
    """A listener's middleware: a command or button press that reached its listener is kept in
    the inbox and acknowledged; the worker's replay of it goes on to the listener. (On the
    listener, not the app: what no listener takes still gets Bolt's 404.)"""
    outage = _Outage("commands and button presses", "refusing them at once")

    async def keep(
        body: dict[str, Any], context: dict[str, Any], next: Callable[[], Awaitable[None]]
    ) -> BoltResponse | None:
        pressed = interaction(body)
        if context.get(REPLAYED) or pressed is None:
            await next()
            return None
        key, lane = pressed
        bind(request=key)
        try:
            await core.inbox.receive(key, INTERACTION, lane, {"body": body})
        except Exception:
            outage.failed(key)
            if "command" in body:  # the person sees this instead of an answer
                text = t(detect_language(str(body.get("text") or "")), "trouble_command")
                return BoltResponse(status=200, body={"response_type": "ephemeral", "text": text})
            return BoltResponse(status=503, body="")  # Slack marks the button as failed
        outage.kept()
        return BoltResponse(status=200, body="")

    return keep


async def _tell_busy(core: Core, event: dict[str, Any], event_id: str, waiting: int) -> None:
    """Say in the thread that the answer will take a while (before it, in the channel's lane)."""
    rate = core.inbox.handled_per_second()
    minutes = max(1, math.ceil(waiting / max(rate, 0.1) / 60))
    lang = detect_language(question_text(event.get("text") or ""))
    text = t(lang, "busy", minutes=str(minutes))
    channel = str(event.get("channel"))
    message = {
        "channel": channel,
        "thread_ts": event.get("thread_ts") or event.get("ts"),
        "text": text,
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": text}}],
    }
    try:
        await core.outbox.add(
            ROUTE, "reply", ReplyNotice(message).payload(), f"busy:{event_id}", lane=channel
        )
    except Exception:
        log.warning("could not queue the busy notice for %s", event_id, exc_info=True)
        return
    core.kick()


def _tell_trouble(client: AsyncWebClient | None, event: dict[str, Any]) -> None:
    """Say in the thread that the answer is delayed (straight to Slack, as the database is
    away; in the background, so the 503 goes at once)."""
    if client is None:
        return
    lang = detect_language(question_text(event.get("text") or ""))
    thread = event.get("thread_ts") or event.get("ts")

    async def post() -> None:
        try:
            await client.chat_postMessage(
                channel=str(event.get("channel")), thread_ts=thread, text=t(lang, "trouble")
            )
        except Exception:
            log.warning("could not tell the asker about the delay", exc_info=True)

    task = asyncio.get_running_loop().create_task(post())
    _TELLING.add(task)
    task.add_done_callback(_TELLING.discard)


_TELLING: set[asyncio.Task[None]] = set()  # kept until done (the loop holds tasks weakly)


def event_handler(core: Core, client: AsyncWebClient) -> Handler:
    """Handle a kept event as Slack sent it (a worker calls this, perhaps again after a crash:
    the desk answers an event id once)."""

    async def handle(payload: dict[str, Any]) -> None:
        body, bot_user_id = payload["body"], payload.get("bot_user_id")
        event = body["event"]
        if event.get("type") == "app_mention":
            await on_app_mention(core, event, body, client, bot_user_id)
        else:
            await on_message(core, event, body, client, bot_user_id)

    return handle


def interaction_handler(app: AsyncApp) -> Handler:
    """Handle a kept command or button press: dispatch it through the app again, marked as
    replayed (and as Socket Mode, the way Bolt takes a request whose signature was checked
    already). The app processes a request before it answers, so this returns when the listener
    is done; a listener that failed (a 500) is tried again."""

    async def handle(payload: dict[str, Any]) -> None:
        request = AsyncBoltRequest(
            body=payload["body"], mode="socket_mode", context={REPLAYED: True}
        )
        response = await app.async_dispatch(request)
        if response.status >= 500:
            raise RuntimeError(f"the listener failed (HTTP {response.status})")

    return handle


def register(app: AsyncApp, core: Core) -> None:
    """Keep the questions, commands and button presses in the inbox, and start the workers
    that handle them (the app is built in the running event loop that serves it)."""
    app.use(inbox_middleware(core))
    core.inbox.handle(KIND, event_handler(core, app.client))
    core.inbox.handle(INTERACTION, interaction_handler(app), first=True)
    core.inbox.start()
