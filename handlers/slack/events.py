"""@mentions of the bot, in any channel it is in, top level or inside a thread."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.app import Core
from handlers.slack.answering import answer_event, from_a_person, question_text


async def on_app_mention(
    core: Core,
    event: dict[str, Any],
    body: dict[str, Any],
    client: AsyncWebClient,
    bot_user_id: str | None,
) -> None:
    in_dm = event.get("channel", "").startswith("D")  # messages.py answers every DM already
    if from_a_person(event, bot_user_id) and not in_dm:
        text = question_text(event.get("text", ""))
        await answer_event(core, client, body, event, text)


def register(app: AsyncApp, core: Core) -> None:
    @app.event("app_mention")
    async def app_mention(event: dict, body: dict, client: AsyncWebClient, context: dict) -> None:
        await on_app_mention(core, event, body, client, context.get("bot_user_id"))
