"""The Slack adapter: a Bolt AsyncApp whose listeners call the core."""

from __future__ import annotations

import asyncio
import logging
import weakref

import aiohttp
from slack_bolt.async_app import AsyncApp
from slack_bolt.authorization import AuthorizeResult
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse

from bot.app import Channel, Core
from bot.settings import Settings
from handlers.slack import actions, commands, events, home, inbox, messages, shortcuts, views
from handlers.slack.identity import ROUTE
from handlers.slack.notify import slack_sender

SEND_TIMEOUT = 10  # seconds; well within the outbox's lease, so a post in flight is never doubled


def web_client(settings: Settings, *, retries: bool = True) -> AsyncWebClient:
    """The Web API client, with its own HTTP session: one pool of kept-alive connections for
    all its calls (without one, slack_sdk opens a new connection, a new TLS handshake against
    Slack, for every call). Call it in the running event loop, and close the session when done.
    `SLACK_API_URL` redirects it (tests use a fake). With `retries`, calls that hit a rate
    limit, a 5xx or a dropped connection are retried twice."""
    timeout = 30 if retries else SEND_TIMEOUT
    session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=timeout))
    client = AsyncWebClient(token=settings.slack_bot_token, timeout=timeout, session=session)
    if settings.slack_api_url:
        client.base_url = settings.slack_api_url
    client.retry_handlers = (
        [
            AsyncConnectionErrorRetryHandler(max_retry_count=2),
            AsyncRateLimitErrorRetryHandler(max_retry_count=2),
            AsyncServerErrorRetryHandler(max_retry_count=2),
        ]
        if retries
        else []
    )
    return client


async def close_clients(*clients: AsyncWebClient) -> None:
    for client in clients:
        if client.session is not None:
            await client.session.close()


def slack_channel(
    core: Core, settings: Settings, *, also_close: tuple[AsyncWebClient, ...] = ()
) -> Channel:
    """Slack as the core's chat: it delivers the chat's notices and its own replies, and
    follows up the questions asked in its threads. Its client doesn't retry by itself: a post
    retried blindly might be posted twice; the outbox retries, after looking for it. When the
    core closes, the client's connections (and those of `also_close`) are closed."""
    client = web_client(settings, retries=False)
    sender = slack_sender(core, client)
    core.outbox.register(ROUTE, sender)
    return Channel(
        ROUTE,
        sender,
        follows_up=frozenset({ROUTE}),
        close=lambda: close_clients(client, *also_close),
    )


class SignedIn:
    """Who the bot is in Slack (auth.test), asked once and shared by every request. Bolt's own
    single-workspace authorization asks at the first request, and so does every request that
    comes in before the answer: a burst at start asked eleven times. An answer that failed is
    asked for again by the next request."""

    def __init__(self, client: AsyncWebClient) -> None:
        self.client = client
        self._asked: asyncio.Future[AsyncSlackResponse] | None = None

    async def auth_test(self) -> AsyncSlackResponse:
        asked = self._asked
        if asked is None or (asked.done() and (asked.cancelled() or asked.exception())):
            asked = self._asked = asyncio.ensure_future(self.client.auth_test())
        return await asyncio.shield(asked)

    async def authorize(self) -> AuthorizeResult:
        return AuthorizeResult.from_auth_test_response(
            auth_test_response=await self.auth_test(), bot_token=self.client.token
        )


_SIGNED_IN: weakref.WeakKeyDictionary[AsyncApp, SignedIn] = weakref.WeakKeyDictionary()


def signed_in(app: AsyncApp) -> SignedIn:
    """The app's shared answer to who it is (the runner checks the token with it at start)."""
    return _SIGNED_IN[app]


class _WithoutTokenSkipped(logging.Filter):
    """Bolt warns at every start that SLACK_BOT_TOKEN goes unused, since a client and an
    `authorize` are given; both hand out that very token, so the warning says nothing true."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        return "will be ignored" not in message and "will be unused" not in message


logging.getLogger("slack_bolt.AsyncApp").addFilter(_WithoutTokenSkipped())


def build_app(core: Core) -> AsyncApp:
    """Bolt app wired to the core, attached as its chat (call it in the running event loop)."""
    settings = core.settings
    client = web_client(settings)
    who = SignedIn(client)

    async def authorize() -> AuthorizeResult:
        return await who.authorize()

    app = AsyncApp(
        client=client,
        authorize=authorize,
        signing_secret=settings.slack_signing_secret,
        raise_error_for_unhandled_request=False,
        process_before_response=True,  # the inbox's replays return when their listener is done
    )
    _SIGNED_IN[app] = who
    for module in (inbox, messages, events, actions, commands, views, home, shortcuts):
        module.register(app, core)
    core.attach(slack_channel(core, settings, also_close=(client,)))
    return app
