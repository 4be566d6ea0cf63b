"""The Slack adapter: a Bolt AsyncApp whose listeners call the core."""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
from prometheus_client import Counter
from slack_bolt.async_app import AsyncApp
from slack_bolt.authorization import AuthorizeResult
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.errors import SlackApiError
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


class CountedWebClient(AsyncWebClient):
    """A Web API client that counts the calls that failed in the end (after its retries), by
    method and Slack's error (`ratelimited`, `channel_not_found`, ...; `http_<status>` when
    Slack said no more, `connection`, `timeout`): firstline_slack_api_errors_total."""

    errors: Counter | None = None

    async def api_call(self, api_method: str, **kwargs: Any) -> Any:  # type: ignore[override]
        try:
            return await super().api_call(api_method, **kwargs)
        except SlackApiError as exc:
            self._count(api_method, _error_name(exc))
            raise
        except TimeoutError:
            self._count(api_method, "timeout")
            raise
        except (aiohttp.ClientError, OSError):
            self._count(api_method, "connection")
            raise

    def _count(self, method: str, error: str) -> None:
        if self.errors is not None:
            self.errors.labels(method, error).inc()


def _error_name(exc: SlackApiError) -> str:
    response = exc.response
    data = response.data if isinstance(response.data, dict) else {}
    return str(data.get("error") or f"http_{response.status_code}")


def slack_api_errors(core: Core) -> Counter:
    return core.metrics.counter(
        "firstline_slack_api_errors",
        "Slack Web API calls of this process that failed, by method and Slack's error.",
        ("method", "error"),
    )


def counted(client: AsyncWebClient, errors: Counter, team_id: str | None) -> CountedWebClient:
    """`client` (Bolt's own for a request, for `team_id`) as one that counts its failures,
    on the same connections."""
    copy = CountedWebClient(
        token=client.token,
        base_url=client.base_url,
        timeout=client.timeout,
        ssl=client.ssl,
        proxy=client.proxy,
        session=client.session,
        trust_env_in_session=client.trust_env_in_session,
        headers=client.headers,
        team_id=team_id,
        logger=client.logger,
        retry_handlers=client.retry_handlers,
    )
    copy.errors = errors
    return copy


def web_client(
    settings: Settings, *, retries: bool = True, errors: Counter | None = None
) -> AsyncWebClient:
    """The Web API client, with its own HTTP session: one pool of kept-alive connections for
    all its calls (without one, slack_sdk opens a new connection, a new TLS handshake against
    Slack, for every call). Call it in the running event loop, and close the session when done.
    `SLACK_API_URL` redirects it (tests use a fake). With `retries`, calls that hit a rate
    limit, a 5xx or a dropped connection are retried twice."""
    timeout = 30 if retries else SEND_TIMEOUT
    session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=timeout))
    client = CountedWebClient(token=settings.slack_bot_token, timeout=timeout, session=session)
    client.errors = errors
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
    client = web_client(settings, retries=False, errors=slack_api_errors(core))
    sender = slack_sender(core, client)
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
    errors = slack_api_errors(core)
    client = web_client(settings, errors=errors)
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

    async def count_errors(context: AsyncBoltContext, next: Callable[[], Awaitable[None]]) -> None:
        """The listeners' calls to Slack are counted too (Bolt makes a client per request)."""
        if context.client is not None:
            context["client"] = counted(context.client, errors, context.team_id)
        await next()

    app.use(count_errors)
    for module in (inbox, messages, events, actions, commands, views, home, shortcuts):
        module.register(app, core)
    core.attach(slack_channel(core, settings, also_close=(client,)))
    return app
