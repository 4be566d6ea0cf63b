"""The Slack adapter: a Bolt AsyncApp whose listeners call the core."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from bot.app import Channel, Core
from bot.settings import Settings
from handlers.slack import actions, commands, events, home, inbox, messages, shortcuts, views
from handlers.slack.identity import ROUTE
from handlers.slack.notify import slack_sender

SEND_TIMEOUT = 10  # seconds; well within the outbox's lease, so a post in flight is never doubled


def web_client(settings: Settings, *, retries: bool = True) -> AsyncWebClient:
    """The Web API client; `SLACK_API_URL` redirects it (tests use a fake). With `retries`,
    calls that hit a rate limit, a 5xx or a dropped connection are retried twice."""
    client = AsyncWebClient(token=settings.slack_bot_token, timeout=30 if retries else SEND_TIMEOUT)
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


def slack_channel(core: Core, settings: Settings) -> Channel:
    """Slack as the core's chat: it delivers the chat's notices and its own replies, and
    follows up the questions asked in its threads. Its client doesn't retry by itself: a post
    retried blindly might be posted twice; the outbox retries, after looking for it."""
    sender = slack_sender(core, web_client(settings, retries=False))
    core.outbox.register(ROUTE, sender)
    return Channel(ROUTE, sender, follows_up=frozenset({ROUTE}))


def build_app(core: Core) -> AsyncApp:
    """Bolt app wired to the core, attached as its chat."""
    settings = core.settings
    app = AsyncApp(
        client=web_client(settings),
        signing_secret=settings.slack_signing_secret,
        raise_error_for_unhandled_request=False,
    )
    for module in (inbox, messages, events, actions, commands, views, home, shortcuts):
        module.register(app, core)
    core.attach(slack_channel(core, settings))
    return app
