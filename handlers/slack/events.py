"""@mentions of the bot, in any channel it is in, top level or inside a thread."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.app import Core
from handlers.slack.answering import answer_event, from_a_person, question_text


def mention_to_answer(event: dict[str, Any], bot_user_id: str | None) -> bool:
    in_dm = event.get("channel", "").startswith("D")  # messages.py answers every DM already
    return from_a_person(event, bot_user_id) and not in_dm


async def on_app_mention(
    core: Core,
    event: dict[str, Any],
    body: dict[str, Any],
    client: AsyncWebClient,
    bot_user_id: str | None,
) -> None:
    if mention_to_answer(event, bot_user_id):
        text = question_text(event.get("text", ""))
        await answer_event(core, client, body, event, text)


def register(app: AsyncApp, core: Core) -> None:
    @app.event("app_mention")
    async def app_mention() -> None:
        """Mentions to answer come through the inbox (handlers/slack/inbox.py); what reaches
        this listener (a bot's mention, one in a DM) needs nothing."""
