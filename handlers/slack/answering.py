"""Answer one question in its Slack thread: ask the core, post the reply, remember where."""

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
from bot.support.questions import DuplicateEvent, Origin, Outcome
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
from handlers.slack.notify import PERMANENT_ERRORS

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
    """Answer a question event in its thread once, however often Slack delivers it."""
    event_id = body.get("event_id") or f"{event['channel']}:{event['ts']}"
    channel, thread = event["channel"], event.get("thread_ts") or event["ts"]
    if not text:  # nothing but mentions: say what the bot does
        if await core.desk.first_time(event_id):
            lang = detect_language(text)
            await _post(client, channel, thread, help_blocks(lang), t(lang, "greeting"), None, core)
        return
    name = await display_name(client, event["user"])
    asker = person(core.settings, event["user"])
    origin = Origin(ROUTE, asker, channel, event["ts"], thread, event_id, name)
    try:
        reply = await core.desk.ask(text, origin)
    except DuplicateEvent:
        return
    if reply.question is None:  # small talk: a short reply, nothing recorded
        blocks = small_talk_blocks(reply, core.desk.examples(reply.language))
        await _post(client, channel, thread, blocks, blocks[0]["text"]["text"], None, core)
        return
    if reply.outcome is Outcome.ANSWERED:
        blocks, fallback = answer_blocks(reply), answer_fallback(reply)
    elif reply.outcome is Outcome.CLARIFY:
        blocks = clarify_blocks(reply)
        fallback = t(reply.language, "clarify_intro")
    elif reply.outcome is Outcome.OFF_TOPIC:
        blocks = off_topic_blocks(reply, core.settings)
        fallback = blocks[0]["text"]["text"]
    else:
        blocks = unresolved_blocks(reply.language, text, None, core.settings)
        fallback = blocks[0]["text"]["text"]
        blocks += suggestion_blocks(reply.question.id, reply.suggestions, reply.language)
    await _post(client, channel, thread, blocks, fallback, reply.question.id, core)


async def _post(
    client: AsyncWebClient,
    channel: str,
    thread_ts: str,
    blocks: list[Block],
    fallback: str,
    question_id: int | None,
    core: Core,
) -> None:
    message = {"channel": channel, "thread_ts": thread_ts, "text": fallback, "blocks": blocks}
    try:
        response = await client.chat_postMessage(**message, unfurl_links=False, unfurl_media=False)
    except (SlackApiError, aiohttp.ClientError, TimeoutError) as exc:
        error = exc.response.get("error") if isinstance(exc, SlackApiError) else str(exc)
        if error in PERMANENT_ERRORS:
            log.error(
                "Slack refused the reply to question %s in %s: %s", question_id, channel, error
            )
            return
        log.warning("reply to question %s failed (%s); queued to retry", question_id, error)
        key = f"reply:{question_id}" if question_id else f"reply:{channel}:{thread_ts}"
        notice = ReplyNotice(message, question_id)
        await core.outbox.add(ROUTE, "reply", notice.payload(), key)
        return
    if question_id is not None:
        await core.desk.set_reply(question_id, response["ts"])
