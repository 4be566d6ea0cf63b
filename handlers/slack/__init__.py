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


def web_client(settings: Settings) -> AsyncWebClient:
    """The Web API client; `SLACK_API_URL` redirects it (tests use a fake). Calls that hit a
    rate limit, a 5xx or a dropped connection are retried twice."""
    client = AsyncWebClient(token=settings.slack_bot_token)
    if settings.slack_api_url:
        client.base_url = settings.slack_api_url
    client.retry_handlers = [
        AsyncConnectionErrorRetryHandler(max_retry_count=2),
        AsyncRateLimitErrorRetryHandler(max_retry_count=2),
        AsyncServerErrorRetryHandler(max_retry_count=2),
    ]
    return client


def slack_channel(core: Core, client: AsyncWebClient) -> Channel:
    """Slack as the core's chat: it delivers the chat's notices and its own retried replies,
    and follows up the questions asked in its threads."""
    sender = slack_sender(core, client)
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
    core.attach(slack_channel(core, app.client))
    return app
