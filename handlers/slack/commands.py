"""The `/support` slash command. What is typed after it is looked up in the core's table of
actions (`bot.support.actions`) and the result rendered as mrkdwn. Replies are ephemeral: only the
person who typed it sees them.

`/support <question>` is the same as `/support ask <question>`, since that is what people type.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond

from bot.app import Core
from bot.support import actions
from bot.support.actions import Asked, Need, Unknown
from bot.support.questions import Outcome
from handlers.slack.answering import question_text
from handlers.slack.blocks import (
    Block,
    answer_blocks,
    clarify_blocks,
    off_topic_blocks,
    results,
    small_talk_blocks,
    suggestion_blocks,
    unresolved_blocks,
)
from handlers.slack.identity import person
from handlers.slack.inbox import kept_first
from handlers.slack.mrkdwn import escape

# Answered privately, with no thread to follow up in, so never escalated.
SOURCE = "slack_command"


async def on_support(core: Core, command: dict[str, Any], respond: AsyncRespond) -> None:
    typed = actions.typed(command.get("text") or "")
    if isinstance(typed, Unknown):
        await respond(response_type="ephemeral", text=results(core.settings).unknown(typed))
        return
    if typed.action.text is Need.QUESTION:
        typed = replace(typed, rest=question_text(typed.rest))
    result = await actions.perform(
        core,
        typed,
        person(core.settings, command["user_id"]),
        source=SOURCE,
        channel=command.get("channel_id"),
    )
    if isinstance(result, Asked):
        blocks = asked_blocks(core, result)
        await respond(response_type="ephemeral", text=escape(result.question), blocks=blocks)
    else:
        await respond(response_type="ephemeral", text=results(core.settings).result(result))


def asked_blocks(core: Core, asked: Asked) -> list[Block]:
    """The desk's reply to a question asked privately: with no thread to follow up in, no
    feedback buttons and no "ask a superuser anyway"."""
    reply = asked.reply
    if reply.question is None:  # small talk
        return small_talk_blocks(reply, core.desk.examples(reply.language))
    if reply.outcome is Outcome.ANSWERED:
        return answer_blocks(reply, with_feedback=False)
    if reply.outcome is Outcome.CLARIFY:
        return clarify_blocks(reply, ask_anyway=False)
    if reply.outcome is Outcome.OFF_TOPIC:
        return off_topic_blocks(reply, core.settings, ask_anyway=False)
    question = reply.question
    blocks = unresolved_blocks(
        reply.language,
        asked.question,
        core.settings.area(question.matched_area),
        core.settings,
        here=question.channel,
    )
    return blocks + suggestion_blocks(reply.question.id, reply.suggestions, reply.language)


def register(app: AsyncApp, core: Core) -> None:
    @app.command("/support", middleware=[kept_first(core)])
    async def support(ack: AsyncAck, command: dict[str, Any], respond: AsyncRespond) -> None:
        await ack()
        await on_support(core, command, respond)
