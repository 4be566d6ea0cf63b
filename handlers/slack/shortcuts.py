"""Message shortcuts: slash commands don't work in threads, so a superuser answers an
escalation from the asker's thread with the message menu (⋯ > Svara på ärendet): the answer
action of the core's table, with the same check of who may before its form opens."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.app import Core
from bot.support.actions import ANSWER, Refusal, ticket_for
from bot.texts import DESK
from handlers.slack.blocks import results
from handlers.slack.identity import person
from handlers.slack.views import answer_modal

ANSWER_IN_THREAD = "esc_thread_answer"


async def on_answer_in_thread(
    core: Core, body: dict[str, Any], client: AsyncWebClient, respond: AsyncRespond
) -> None:
    message = body.get("message") or {}
    channel = (body.get("channel") or {}).get("id", "")
    thread = message.get("thread_ts") or message.get("ts", "")
    esc = await core.ladder.for_thread(channel, thread)
    if esc is None:
        await respond(response_type="ephemeral", text=DESK["no_thread_ticket"])
        return
    status = await ticket_for(core, ANSWER, person(core.settings, body["user"]["id"]), esc.id)
    if isinstance(status, Refusal):
        await respond(response_type="ephemeral", text=results(core.settings).refusal(status))
        return
    await client.views_open(
        trigger_id=body["trigger_id"], view=answer_modal(esc.id, status.question.text)
    )


def register(app: AsyncApp, core: Core) -> None:
    @app.shortcut(ANSWER_IN_THREAD)
    async def answer_in_thread(
        ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, respond: AsyncRespond
    ) -> None:
        await ack()
        await on_answer_in_thread(core, body, client, respond)
