"""Teams on the Microsoft 365 Agents SDK, wired to the core: the SDK's `AgentApplication` and
`CloudAdapter`, its routes, the error handler, the outbox sender, and the aiohttp route
`POST /api/messages` that the Slack server serves beside its own.

Only `/api/messages` checks Teams' tokens (the SDK's per-route `jwt_authorization_decorator`):
an app-wide JWT middleware would turn Slack's requests away. With `TEAMS_AUTH=none` the SDK
takes requests without a token and sends without one (local testing only; the runner then
listens on 127.0.0.1).
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from microsoft_agents.activity import Activity, ActivityTypes
from microsoft_agents.authentication.msal import MsalConnectionManager
from microsoft_agents.hosting.aiohttp import CloudAdapter, jwt_authorization_decorator
from microsoft_agents.hosting.core import (
    AgentApplication,
    AgentAuthConfiguration,
    AuthTypes,
    ClaimsIdentity,
    MemoryStorage,
    TurnContext,
    TurnState,
)
from microsoft_agents.hosting.core.app import RouteRank
from microsoft_agents.hosting.core.authorization import AuthenticationConstants
from pydantic import ValidationError

from bot.app import Channel, Core
from bot.faq.text import detect_language
from bot.settings import Teams
from bot.texts import t
from handlers.teams import turns
from handlers.teams.identity import PATH, ROUTE
from handlers.teams.notify import teams_sender

log = logging.getLogger(__name__)

SERVICE_CONNECTION = "SERVICE_CONNECTION"


def auth_configuration(teams: Teams) -> AgentAuthConfiguration:
    if teams.auth_off:
        return AgentAuthConfiguration(anonymous_allowed=True)
    if teams.certificate:
        return AgentAuthConfiguration(
            AuthTypes.certificate,
            teams.app_id,
            teams.tenant_id,
            cert_pfx_file=str(teams.certificate),
        )
    return AgentAuthConfiguration(
        AuthTypes.client_secret, teams.app_id, teams.tenant_id, teams.password
    )


@dataclass
class TeamsBot:
    app: AgentApplication[TurnState]
    adapter: CloudAdapter
    auth: AgentAuthConfiguration
    teams: Teams

    async def continue_conversation(
        self, continuation: Activity, callback: Callable[[TurnContext], Awaitable[Any]]
    ) -> None:
        """Send into a conversation unasked, as the bot (no token with TEAMS_AUTH=none)."""
        if self.teams.auth_off:
            await self.adapter.continue_conversation_with_claims(
                ClaimsIdentity(), continuation, callback, AuthenticationConstants.AGENTS_SDK_SCOPE
            )
        else:
            await self.adapter.continue_conversation(
                self.teams.app_id or "", continuation, callback
            )

    def serve(self, web_app: web.Application) -> None:
        """Serve Teams at POST /api/messages of `web_app` (Slack's server, or one of its own),
        checking Teams' tokens on that route only."""
        with warnings.catch_warnings():  # the SDK's decorator reads it by this plain key
            warnings.simplefilter("ignore", web.NotAppKeyWarning)
            web_app["agent_configuration"] = self.auth
        web_app.add_routes(self._routes())

    def _routes(self) -> list[web.RouteDef]:
        adapter, app = self.adapter, self.app

        @jwt_authorization_decorator
        async def messages(request: web.Request) -> web.StreamResponse:
            try:
                response = await adapter.process(request, app)
            except ValidationError:
                log.warning("refused a request to %s that is not a Teams activity", PATH)
                return web.json_response({"error": "not an activity"}, status=400)
            return response or web.Response(status=202)

        return [web.post(PATH, messages)]


def build_teams(core: Core, teams: Teams) -> TeamsBot:
    """The Teams bot wired to the core, attached as a channel that follows up its own
    questions; Slack (attached first) stays the chat for superusers and channels."""
    auth = auth_configuration(teams)
    connections = MsalConnectionManager(connections_configurations={SERVICE_CONNECTION: auth})
    adapter = CloudAdapter(connection_manager=connections)
    app: AgentApplication[TurnState] = AgentApplication[TurnState](
        storage=MemoryStorage(),
        connection_manager=connections,
        start_typing_timer=False,  # the answer is queued, then sent by the outbox
        remove_recipient_mention=True,
    )

    async def message(context: TurnContext, _state: TurnState) -> None:
        await turns.on_message(core, context)

    async def installed(context: TurnContext, _state: TurnState) -> None:
        await turns.on_installed(core, context)

    def is_install(context: TurnContext) -> bool:
        kind = context.activity.type
        return kind in (ActivityTypes.conversation_update, ActivityTypes.installation_update)

    def is_message(context: TurnContext) -> bool:
        return context.activity.type == ActivityTypes.message

    app.add_route(is_install, installed)
    # last: a catch-all taken first would swallow what more particular routes are for
    app.add_route(is_message, message, rank=RouteRank.LAST)

    async def on_error(context: TurnContext, error: Exception) -> None:
        """Logged; the person gets a short apology, never the exception's text."""
        log.error("a Teams turn failed", exc_info=error)
        try:
            if context.activity.type == ActivityTypes.message:
                lang = detect_language(context.activity.text or "")
                await context.send_activity(t(lang, "teams_error"))
        except Exception:
            log.exception("could not tell the Teams user that their message failed")

    app.error(on_error)
    adapter.on_turn_error = on_error
    bot = TeamsBot(app, adapter, auth, teams)
    core.attach(
        Channel(
            ROUTE,
            teams_sender(core, bot.continue_conversation),
            follows_up=frozenset({ROUTE}),
            chat=False,
        )
    )
    return bot
