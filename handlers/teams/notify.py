"""The Teams adapter's outbox sender: its replies, and the notices to those who asked in Teams
(where their question is, the answer to it, that it was closed), sent into the conversation by
its stored reference through the Bot Connector (`continue_conversation`).

A conversation whose reference isn't known yet waits (a temporary failure, retried with the
outbox's backoff) rather than failing. Throttling (429, 412) and the connector's 5xx are
retried, after its Retry-After when it gives one; any other refusal is final.
"""

from __future__ import annotations

import logging
from typing import Any

import aiohttp
from microsoft_agents.activity import Activity, ActivityTypes, ConversationReference
from microsoft_agents.hosting.core import TurnContext

from bot.app import Core
from bot.support.notices import (
    EscalationNotice,
    EscalationStep,
    ReplyNotice,
    UnknownNotice,
    notice_from_payload,
)
from bot.support.outbox import Delivery, PermanentFailure, Sender, TemporaryFailure
from bot.texts import PROGRESS
from handlers.teams import cards
from handlers.teams.identity import ROUTE
from handlers.teams.turns import card_activity

log = logging.getLogger(__name__)

RETRIED = {412, 429, 500, 502, 503, 504}
Send = Any  # the adapter's continue_conversation, bound to the bot's identity (app.py)


def teams_sender(core: Core, send: Send) -> Sender:
    async def deliver(payload: dict[str, Any], delivery: Delivery) -> str:
        try:
            notice = notice_from_payload(payload)
        except (UnknownNotice, TypeError, ValueError) as exc:
            raise PermanentFailure(f"not a notice the Teams adapter can render: {exc}") from exc
        if isinstance(notice, ReplyNotice):
            message = notice.message
            conversation, reply_to = message["conversation"], message.get("reply_to")
            activity = card_activity(message["card"], message.get("text", ""))
        elif isinstance(notice, EscalationNotice):
            conversation, reply_to, activity = await _to_asker(core, notice)
        else:
            raise PermanentFailure(f"Teams delivers only to askers, not {type(notice).__name__}")
        kept = await core.references.get(ROUTE, conversation)
        if kept is None:
            raise TemporaryFailure(f"no conversation reference for {conversation} yet")
        reference = ConversationReference.model_validate(kept.reference)
        return await _send(send, reference, reply_to, activity)

    return deliver


async def _to_asker(core: Core, notice: EscalationNotice) -> tuple[str, str | None, Activity]:
    """(conversation, the message to reply to, the card) of a notice to a Teams asker."""
    status = await core.ladder.status(notice.escalation)
    esc, question = status.escalation, status.question
    event = next((e for e in status.history if e.id == notice.event), status.history[-1])
    lang = question.language
    if notice.step is EscalationStep.ANSWER:
        who = core.settings.name_of(event.actor)
        content = cards.escalation_answer_card(lang, esc.id, who, event.detail or esc.answer or "")
        return question.channel or "", question.message_ts, card_activity(content, f"#{esc.id}")
    if notice.step not in (EscalationStep.PROGRESS, EscalationStep.CLOSED):
        raise PermanentFailure(f"Teams delivers only to askers, not {notice.step}")
    templates = PROGRESS[lang]
    closed = notice.step is EscalationStep.CLOSED
    action = "closed" if closed and event.action not in templates else event.action
    holder = esc.claimed_by or esc.assignee
    area = core.settings.area(esc.area)
    text = (templates.get(action) or templates["opened"]).format(
        n=esc.id,
        who=cards.escape(core.settings.name_of(holder)) if holder else "supportkön",
        area=cards.escape(area.name if area else "okänt område"),
        vendor=cards.escape(core.settings.vendor.name),
    )
    return question.channel or "", question.message_ts, card_activity(cards.note_card(text), text)


async def _send(
    send: Send, reference: ConversationReference, reply_to: str | None, activity: Activity
) -> str:
    continuation = Activity(
        type=ActivityTypes.event,
        name="ContinueConversation",
        id=reply_to,  # the reply goes to /activities/{reply_to}: into a channel's thread
        channel_id=reference.channel_id,
        service_url=reference.service_url,
        conversation=reference.conversation,
        recipient=reference.agent,
        from_property=reference.user,
    )
    sent: list[str] = []

    async def post(context: TurnContext) -> None:
        response = await context.send_activity(activity)
        sent.append(response.id if response and response.id else "")

    try:
        await send(continuation, post)
    except aiohttp.ClientResponseError as exc:
        if exc.status in RETRIED:
            retry = exc.headers.get("Retry-After") if exc.headers else None
            after = float(retry) if retry and retry.isdigit() else None
            raise TemporaryFailure(f"Teams answered {exc.status}", after) from exc
        raise PermanentFailure(f"Teams refused it: {exc.status} {exc.message}"[:300]) from exc
    except (aiohttp.ClientError, OSError, TimeoutError) as exc:
        raise TemporaryFailure(f"cannot reach Teams: {exc}") from exc
    return sent[0] if sent else ""
