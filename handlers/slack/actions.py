"""The feedback buttons under an answer: "That solved it" and "Not what I needed"."""

from __future__ import annotations

import logging
import re
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.app import Core
from bot.support.questions import FeedbackResult
from bot.texts import t
from handlers.slack.blocks import NOT_HELPFUL_ACTION, SOLVED_ACTION, unresolved_blocks, with_outcome

log = logging.getLogger(__name__)


async def on_feedback(core: Core, body: dict[str, Any], client: AsyncWebClient) -> None:
    action = body["actions"][0]
    user = body["user"]["id"]
    channel = body.get("channel", {}).get("id") or body.get("container", {}).get("channel_id")
    message = body.get("message") or {}
    try:
        question_id = int(action.get("value", ""))
    except ValueError:
        log.warning("feedback button with a bad value %r", action.get("value"))
        return
    solved = action["action_id"] == SOLVED_ACTION
    feedback = await core.desk.feedback(question_id, user, solved=solved)
    question = feedback.question
    lang = question.language if question else "sv"
    try:
        if feedback.result is FeedbackResult.UNKNOWN or question is None:
            await client.chat_postEphemeral(
                channel=channel, user=user, text=t(lang, "question_gone")
            )
        elif feedback.result is FeedbackResult.NOT_ASKER:
            await client.chat_postEphemeral(
                channel=channel, user=user, text=t(lang, "only_asker", asker=f"<@{question.asker}>")
            )
        elif feedback.result is FeedbackResult.ALREADY:
            state = t(lang, "state_solved" if question.status == "solved" else "state_unresolved")
            await client.chat_postEphemeral(
                channel=channel, user=user, text=t(lang, "already", state=state)
            )
        else:
            note_key = "solved_ack" if solved else "not_helpful_marked"
            note = t(lang, note_key, user=f"<@{user}>")
            await client.chat_update(
                channel=channel,
                ts=message["ts"],
                text=note,
                blocks=with_outcome(message.get("blocks", []), note),
            )
            if not solved:
                blocks = unresolved_blocks(
                    lang, question.text, feedback.area, core.settings, key="not_helpful_ack"
                )
                await client.chat_postMessage(
                    channel=channel,
                    thread_ts=question.thread_ts or message.get("thread_ts") or message["ts"],
                    text=blocks[0]["text"]["text"],
                    blocks=blocks,
                )
    except SlackApiError as exc:
        log.error(
            "feedback on question %d was saved, but Slack refused the update: %s",
            question_id,
            exc.response.get("error"),
        )


def register(app: AsyncApp, core: Core) -> None:
    @app.action(re.compile(f"^({SOLVED_ACTION}|{NOT_HELPFUL_ACTION})$"))
    async def feedback(ack: AsyncAck, body: dict, client: AsyncWebClient) -> None:
        await ack()
        await on_feedback(core, body, client)
