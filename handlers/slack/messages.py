"""Message events: top-level posts in support channels, and direct messages to the bot.

Thread replies in channels are left to the people in the thread (an @mention there still reaches
the bot, through `events.py`); in a DM every message from the person is a question.
"""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.app import Core
from bot.support.escalations import Refused
from handlers.slack.answering import answer_event, from_a_person, question_text
from handlers.slack.blocks import refused_text
from handlers.slack.identity import person
from handlers.slack.mrkdwn import from_mrkdwn

# Subtypes that are still a person asking something; edits, deletions, joins, bot posts and
# thread broadcasts are not.
QUESTION_SUBTYPES = {None, "file_share"}


def is_question(
    event: dict[str, Any], bot_user_id: str | None, support_channels: frozenset[str]
) -> bool:
    if event.get("subtype") not in QUESTION_SUBTYPES or not from_a_person(event, bot_user_id):
        return False
    if not (event.get("text") or "").strip():
        return False
    if event.get("channel_type") == "im":
        return True
    if bot_user_id and f"<@{bot_user_id}" in event.get("text", ""):
        return False  # the app_mention event answers it
    is_thread_reply = event.get("thread_ts") not in (None, event.get("ts"))
    return event.get("channel") in support_channels and not is_thread_reply


def in_vendor_thread(event: dict[str, Any], vendor_channel: str | None) -> bool:
    """A thread reply in the vendor's channel: perhaps the vendor answering our request."""
    thread = event.get("thread_ts")
    return (
        bool(vendor_channel)
        and event.get("channel") == vendor_channel
        and thread
        not in (
            None,
            event.get("ts"),
        )
    )


def worth_handling(core: Core, event: dict[str, Any], bot_user_id: str | None) -> bool:
    """A question to answer or perhaps a vendor's answer; the rest (edits, bots, chatter in
    other channels) needs nothing."""
    if event.get("subtype") not in QUESTION_SUBTYPES or not from_a_person(event, bot_user_id):
        return False
    vendor_channel = core.settings.vendor.slack_channel
    return in_vendor_thread(event, vendor_channel) or is_question(
        event, bot_user_id, core.settings.support_channels
    )


async def on_vendor_reply(core: Core, event: dict[str, Any], client: AsyncWebClient) -> bool:
    """A reply in the thread of our request in the vendor's channel is the vendor's answer."""
    vendor_channel = core.settings.vendor.slack_channel
    if not in_vendor_thread(event, vendor_channel):
        return False
    number = await core.ladder.for_vendor_message(event["thread_ts"])
    if number is None:
        return False
    writer = person(core.settings, event["user"])
    if core.settings.is_staff(writer):
        return True  # our own people talking to the vendor in the thread: not the answer
    try:
        text = from_mrkdwn(event.get("text", ""))
        await core.ladder.vendor_reply(number, writer, text, from_vendor=True)
    except Refused as exc:
        await client.chat_postEphemeral(
            channel=event["channel"], user=event["user"], text=refused_text(core.settings, exc)
        )
        return True
    await client.reactions_add(
        channel=event["channel"], timestamp=event["ts"], name="white_check_mark"
    )
    core.kick()
    return True


async def on_message(
    core: Core,
    event: dict[str, Any],
    body: dict[str, Any],
    client: AsyncWebClient,
    bot_user_id: str | None,
) -> None:
    by_a_person = event.get("subtype") in QUESTION_SUBTYPES and from_a_person(event, bot_user_id)
    if by_a_person and await on_vendor_reply(core, event, client):
        return
    if is_question(event, bot_user_id, core.settings.support_channels):
        await answer_event(core, client, body, event, question_text(event["text"]))


def register(app: AsyncApp, core: Core) -> None:
    @app.event("message")
    async def message() -> None:
        """Questions and vendors' answers come through the inbox (handlers/slack/inbox.py);
        what reaches this listener (edits, bots, chatter elsewhere) needs nothing."""
