"""The Slack adapter: a Bolt AsyncApp whose listeners call the core."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)

from bot.app import Core
from handlers.slack import actions, commands, events, home, messages, shortcuts, views
from handlers.slack.notify import slack_sender


def build_app(core: Core) -> AsyncApp:
    """Bolt app wired to the core; `SLACK_API_URL` redirects the Web API (tests use a fake).

    Web API calls that hit a rate limit, a 5xx or a dropped connection are retried twice.
    """
    settings = core.settings
    app = AsyncApp(
        token=settings.slack_bot_token,
        signing_secret=settings.slack_signing_secret,
        raise_error_for_unhandled_request=False,
    )
    if settings.slack_api_url:
        app.client.base_url = settings.slack_api_url
    app.client.retry_handlers = [
        AsyncConnectionErrorRetryHandler(max_retry_count=2),
        AsyncRateLimitErrorRetryHandler(max_retry_count=2),
        AsyncServerErrorRetryHandler(max_retry_count=2),
    ]
    for module in (messages, events, actions, commands, views, home, shortcuts):
        module.register(app, core)
    core.outbox.register("slack", slack_sender(core, app.client))
    return app
