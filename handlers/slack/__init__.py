"""The Slack adapter: a Bolt AsyncApp whose listeners call the core."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from bot.app import Core
from handlers.slack import actions, commands, events, messages


def build_app(core: Core) -> AsyncApp:
    """Bolt app wired to the core; `SLACK_API_URL` redirects the Web API (tests use a fake)."""
    settings = core.settings
    client = AsyncWebClient(
        token=settings.slack_bot_token,
        base_url=settings.slack_api_url or AsyncWebClient.BASE_URL,
        retry_handlers=[
            AsyncConnectionErrorRetryHandler(max_retry_count=2),
            AsyncRateLimitErrorRetryHandler(max_retry_count=2),
            AsyncServerErrorRetryHandler(max_retry_count=2),
        ],
    )
    app = AsyncApp(
        client=client,
        signing_secret=settings.slack_signing_secret,
        raise_error_for_unhandled_request=False,
    )
    for module in (messages, events, actions, commands):
        module.register(app, core)
    return app
