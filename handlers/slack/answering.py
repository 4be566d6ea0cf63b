"""Answer one question in its Slack thread: ask the core, which queues the reply rendered here
with the question; the outbox posts it and remembers where."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.app import Core
from bot.faq.text import detect_language
from bot.support.notices import ReplyNotice
from bot.support.questions import DuplicateEvent, Origin, Outcome, Outgoing, Reply
from bot.texts import t
from handlers.slack.blocks import (
    Block,
    answer_blocks,
    answer_fallback,
    clarify_blocks,
    help_blocks,
    off_topic_blocks,
    small_talk_blocks,
    suggestion_blocks,
    unresolved_blocks,
)
from handlers.slack.identity import ROUTE, person
from handlers.slack.mrkdwn import plain_text

log = logging.getLogger(__name__)


def question_text(text: str) -> str:
    """The question as plain text (see `plain_text`: mentions, the bot's own too, are left
    out), its lines kept and the spaces within them tidied."""
    lines = (" ".join(line.split()) for line in plain_text(text).splitlines())
    return "\n".join(line for line in lines if line)


# Display names by user id, per workspace (Bolt hands each request its own client, so the key is
# the API's address and the token): the lookup itself is kept, so a burst of questions from one
# person asks Slack once (single flight).
_NAMES: dict[tuple[str, str | None], dict[str, asyncio.Future[str | None]]] = {}
MOST_NAMES = 10_000


async def display_name(client: AsyncWebClient, user: str) -> str | None:
    """The person's name as colleagues see it (cached for this process); None if Slack won't
    say, and then it is asked again next time."""
    names = _NAMES.setdefault((client.base_url, client.token), {})
    lookup = names.get(user)
    if lookup is None:
        if len(names) > MOST_NAMES:
            names.clear()
        lookup = names[user] = asyncio.ensure_future(_look_up(client, user))
    try:
        name = await asyncio.shield(lookup)
    except Exception:
        log.exception("looking up the name of %s failed", user)
        name = None
    if name is None and names.get(user) is lookup:
        del names[user]
    return name


async def _look_up(client: AsyncWebClient, user: str) -> str | None:
    try:
        response = await client.users_info(user=user)
    except (SlackApiError, aiohttp.ClientError, TimeoutError):
        return None
    profile = (response.get("user") or {}).get("profile") or {}
    return str(profile.get("real_name") or profile.get("display_name") or user)


def from_a_person(event: dict[str, Any], bot_user_id: str | None) -> bool:
    """A new message by a human: not a bot (this one or another), not an edit."""
    user = event.get("user")
    return (
        bool(user) and not event.get("bot_id") and user != bot_user_id and not event.get("edited")
    )


async def answer_event(
    core: Core, client: AsyncWebClient, body: dict[str, Any], event: dict[str, Any], text: str
) -> None:
    """Answer a question event in its thread once, however often Slack delivers it: the reply
    is queued in the outbox with the question, and delivered from there."""
    event_id = body.get("event_id") or f"{event['channel']}:{event['ts']}"
    channel, thread = event["channel"], event.get("thread_ts") or event["ts"]
    if not text:  # nothing but mentions: say what the bot does
        lang = detect_language(text)
        greeting = _outgoing(channel, thread, help_blocks(lang), t(lang, "greeting"), None)
        if await core.desk.reply_once(event_id, greeting):
            core.kick()
        return
    name = await display_name(client, event["user"])
    asker = person(core.settings, event["user"])
    origin = Origin(ROUTE, asker, channel, event["ts"], thread, event_id, name)

    def write(reply: Reply) -> Outgoing:
        blocks, fallback = reply_blocks(core, reply, text)
        question_id = reply.question.id if reply.question else None
        return _outgoing(channel, thread, blocks, fallback, question_id)

    try:
        await core.desk.ask(text, origin, write)
    except DuplicateEvent:
        return
    core.kick()


def reply_blocks(core: Core, reply: Reply, text: str) -> tuple[list[Block], str]:
    """The reply in its thread, with the buttons that fit, and its notification text."""
    if reply.question is None:  # small talk: a short reply, nothing recorded
        blocks = small_talk_blocks(reply, core.desk.examples(reply.language))
        return blocks, blocks[0]["text"]["text"]
    if reply.outcome is Outcome.ANSWERED:
        return answer_blocks(reply), answer_fallback(reply)
    if reply.outcome is Outcome.CLARIFY:
        return clarify_blocks(reply), t(reply.language, "clarify_intro")
    if reply.outcome is Outcome.OFF_TOPIC:
        blocks = off_topic_blocks(reply, core.settings)
        return blocks, blocks[0]["text"]["text"]
    question = reply.question
    blocks = unresolved_blocks(
        reply.language,
        text,
        core.settings.area(question.matched_area),
        core.settings,
        here=question.channel,
        escalated=question.source in core.escalating_sources,
    )
    fallback = blocks[0]["text"]["text"]
    return blocks + suggestion_blocks(
        reply.question.id, reply.suggestions, reply.language
    ), fallback


def _outgoing(
    channel: str, thread_ts: str, blocks: list[Block], fallback: str, question_id: int | None
) -> Outgoing:
    message = {"channel": channel, "thread_ts": thread_ts, "text": fallback, "blocks": blocks}
    return Outgoing(ROUTE, ReplyNotice(message, question_id).payload(), channel)
