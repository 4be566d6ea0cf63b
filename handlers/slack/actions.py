"""Buttons: feedback under an FAQ answer, and the escalation buttons (superusers and asker)."""

from __future__ import annotations

import logging
import re
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.app import Core
from bot.faq.model import Entry
from bot.store.models import Question
from bot.support import actions
from bot.support.actions import Refusal, Request, record_id, ticket_number
from bot.support.escalations import Refused
from bot.support.questions import SUGGESTIBLE, FeedbackResult
from bot.texts import DESK, ESCALATION_TEXTS, t
from handlers.slack.blocks import (
    ASK_ANYWAY_ACTION,
    ASK_ANYWAY_BLOCK,
    NOT_HELPFUL_ACTION,
    SOLVED_ACTION,
    SUGGESTION_ACTION,
    SUGGESTION_SOLVED_ACTION,
    ask_anyway_refused_text,
    entry_blocks,
    parse_suggestion_value,
    refused_text,
    results,
    suggestion_solved_actions,
    unresolved_blocks,
    verdict_refused_text,
    with_outcome,
)
from handlers.slack.identity import person
from handlers.slack.inbox import Middleware, kept_first
from handlers.slack.mrkdwn import escape
from handlers.slack.notify import (
    ADD_FAQ,
    ANSWER,
    CLAIM,
    ESCALATE,
    NOT_SOLVED,
    REASSIGN,
    SOLVED,
)
from handlers.slack.views import FORMS

log = logging.getLogger(__name__)


async def _pressed_on_question(
    body: dict[str, Any], button: str, respond: AsyncRespond
) -> tuple[str, str | None, dict[str, Any], int] | None:
    """(who pressed, the channel, the message, the question id) of a button whose value is a
    question id; None for a value that isn't one (the presser is told)."""
    action = body["actions"][0]
    channel = body.get("channel", {}).get("id") or body.get("container", {}).get("channel_id")
    question_id = record_id(action.get("value"))
    if question_id is None:
        await _no_question(button, action.get("value"), respond)
        return None
    return body["user"]["id"], channel, body.get("message") or {}, question_id


async def _no_question(button: str, value: object, respond: AsyncRespond) -> None:
    """A button whose value names no question (only a crafted press has one): logged, and the
    presser told, in Swedish since there is no question to take the language from."""
    log.warning("%s button with a bad value %r", button, value)
    text = t("sv", "no_question_button")
    await respond(response_type="ephemeral", replace_original=False, text=text)


def presser(core: Core, body: dict[str, Any]) -> str:
    """Who pressed the button, as the core knows them."""
    return person(core.settings, body["user"]["id"])


async def on_feedback(
    core: Core, body: dict[str, Any], client: AsyncWebClient, respond: AsyncRespond
) -> None:
    pressed = await _pressed_on_question(body, "feedback", respond)
    if pressed is None:
        return
    user, channel, message, question_id = pressed
    solved = body["actions"][0]["action_id"] == SOLVED_ACTION
    feedback = await core.desk.feedback(question_id, presser(core, body), solved=solved)
    core.kick()
    question = feedback.question
    lang = question.language if question else "sv"
    try:
        if question is None or feedback.result not in (
            FeedbackResult.SOLVED,
            FeedbackResult.NOT_HELPFUL,
        ):
            await client.chat_postEphemeral(
                channel=channel, user=user, text=verdict_refused_text(core.settings, feedback, lang)
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
                    lang,
                    question.text,
                    feedback.area,
                    core.settings,
                    key="not_helpful_ack",
                    here=question.channel,
                    escalated=question.source in core.escalating_sources,
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


async def _pressed_suggestion(
    core: Core, body: dict[str, Any], respond: AsyncRespond
) -> tuple[int, Question | None, Entry] | None:
    """(question id, the question, the entry) a suggestion button names; None, and the presser
    told, when the value is not a suggestion's or the entry is no longer in the FAQ."""
    value = body["actions"][0].get("value", "")
    parsed = parse_suggestion_value(value)
    if parsed is None:
        await _no_question("suggestion", value, respond)
        return None
    question_id, heading = parsed
    question = await core.desk.get(question_id)
    entry = core.knowledge.entry(heading)
    if entry is None:
        lang = question.language if question else "sv"
        await respond(
            response_type="ephemeral", replace_original=False, text=t(lang, "suggestion_gone")
        )
        return None
    return question_id, question, entry


async def on_suggestion(core: Core, body: dict[str, Any], respond: AsyncRespond) -> None:
    """A suggested FAQ entry under an unanswered question: show its answer to whoever pressed,
    and to the asker, while the question is still open, a button to say it solved it."""
    pressed = await _pressed_suggestion(core, body, respond)
    if pressed is None:
        return
    question_id, question, entry = pressed
    lang = question.language if question else "sv"
    blocks = entry_blocks(entry, core.settings.area(entry.area), lang)
    if question and question.asker == presser(core, body) and question.status in SUGGESTIBLE:
        blocks.append(suggestion_solved_actions(question_id, entry, lang))
    await respond(
        response_type="ephemeral",
        replace_original=False,
        text=escape(entry.question),
        blocks=blocks,
    )


async def on_suggestion_solved(core: Core, body: dict[str, Any], respond: AsyncRespond) -> None:
    """The asker says the suggested entry solved the question: mark it, close its ticket."""
    pressed = await _pressed_suggestion(core, body, respond)
    if pressed is None:
        return
    question_id, _, entry = pressed
    user = presser(core, body)
    feedback, closed = await core.ladder.solved_by_suggestion(question_id, user, entry.question)
    core.kick()
    question = feedback.question
    lang = question.language if question else "sv"
    if feedback.result is FeedbackResult.SOLVED:
        note = t(lang, "suggestion_solved")
        if closed is not None:
            note += " " + t(lang, "suggestion_case_closed", n=str(closed.id))
        # the pressed message is ephemeral (Slack doesn't send it back): draw it anew
        blocks = entry_blocks(entry, core.settings.area(entry.area), lang)
        await respond(replace_original=True, text=note, blocks=with_outcome(blocks, note))
        return
    text = verdict_refused_text(core.settings, feedback, lang)
    await respond(response_type="ephemeral", replace_original=False, text=text)


async def on_ask_anyway(
    core: Core, body: dict[str, Any], client: AsyncWebClient, respond: AsyncRespond
) -> None:
    """The asker wants a superuser on a question the bot declined or found too vague: it is
    escalated like an unanswered one, and the button gives way to who pressed it (the ladder
    tells the thread who has it). Anyone else, or a second press, is told why not."""
    pressed = await _pressed_on_question(body, "ask-anyway", respond)
    if pressed is None:
        return
    user, channel, message, question_id = pressed
    feedback = await core.desk.ask_anyway(question_id, presser(core, body))
    core.kick()
    question = feedback.question
    lang = question.language if question else "sv"
    try:
        if feedback.result is not FeedbackResult.ASKED_ANYWAY:
            text = ask_anyway_refused_text(core.settings, feedback, lang)
            await client.chat_postEphemeral(channel=channel, user=user, text=text)
        elif message.get("ts"):
            note = t(lang, "asked_anyway_note", user=f"<@{user}>")
            blocks = with_outcome(message.get("blocks", []), note, block_prefix=ASK_ANYWAY_BLOCK)
            await client.chat_update(channel=channel, ts=message["ts"], text=note, blocks=blocks)
    except SlackApiError as exc:
        log.error(
            "question %d went to a superuser, but Slack refused the update: %s",
            question_id,
            exc.response.get("error"),
        )


def register(app: AsyncApp, core: Core) -> None:
    """The buttons; each press is kept in the inbox first (`kept_first`)."""
    kept = kept_first(core)
    register_escalations(app, core, kept)

    @app.action(ASK_ANYWAY_ACTION, middleware=[kept])
    async def ask_anyway(
        ack: AsyncAck, body: dict, client: AsyncWebClient, respond: AsyncRespond
    ) -> None:
        await ack()
        await on_ask_anyway(core, body, client, respond)

    @app.action(re.compile(f"^{SUGGESTION_ACTION}_\\d+$"), middleware=[kept])
    async def suggestion(ack: AsyncAck, body: dict, respond: AsyncRespond) -> None:
        await ack()
        await on_suggestion(core, body, respond)

    @app.action(SUGGESTION_SOLVED_ACTION, middleware=[kept])
    async def suggestion_solved(ack: AsyncAck, body: dict, respond: AsyncRespond) -> None:
        await ack()
        await on_suggestion_solved(core, body, respond)

    @app.action(re.compile(f"^({SOLVED_ACTION}|{NOT_HELPFUL_ACTION})$"), middleware=[kept])
    async def feedback(
        ack: AsyncAck, body: dict, client: AsyncWebClient, respond: AsyncRespond
    ) -> None:
        await ack()
        await on_feedback(core, body, client, respond)


# The escalation buttons by action id: the table's action each one runs (one that takes a text
# opens its form first, views.FORMS). The asker's verdict on an answer is no superuser action.
BUTTON_ACTIONS = {
    CLAIM: actions.CLAIM,
    ANSWER: actions.ANSWER,
    ESCALATE: actions.ESCALATE,
    REASSIGN: actions.REASSIGN,
    ADD_FAQ: actions.FAQ,
}
VERDICTS = {SOLVED: True, NOT_SOLVED: False}
ESCALATION_ACTIONS = re.compile(f"^({'|'.join(map(re.escape, [*BUTTON_ACTIONS, *VERDICTS]))})$")


async def on_escalation_button(
    core: Core, body: dict[str, Any], client: AsyncWebClient, respond: AsyncRespond
) -> None:
    """Claim, Answer, To the vendor, Wrong area, Add to FAQ (superusers, from the table of
    actions); That solved it and Not solved (the asker)."""
    pressed = body["actions"][0]
    user, action_id = presser(core, body), pressed["action_id"]
    number = ticket_number(pressed.get("value"))
    if number is None:
        log.warning("escalation button %s with a bad value %r", action_id, pressed.get("value"))
        text = DESK["no_ticket_number"]
        await respond(response_type="ephemeral", replace_original=False, text=text)
        return
    if action_id in VERDICTS:
        await _verdict(core, body, respond, number, solved=VERDICTS[action_id])
        return
    action = BUTTON_ACTIONS.get(action_id)
    if action is None:
        log.error("escalation button %r runs no action of the table", action_id)
        text = DESK["unknown_action"].format(name=escape(action_id))
        await respond(response_type="ephemeral", replace_original=False, text=text)
        return
    if action not in FORMS:
        result = await actions.run(core, action, Request(user, number))
        text = results(core.settings).result(result)
        await respond(response_type="ephemeral", replace_original=False, text=text)
        return
    ticket = await actions.ticket_for(core, action, user, number)
    if isinstance(ticket, Refusal):
        text = results(core.settings).refusal(ticket)
        await respond(response_type="ephemeral", replace_original=False, text=text)
        return
    try:
        view = FORMS[action](ticket, core.settings)
        await client.views_open(trigger_id=body["trigger_id"], view=view)
    except SlackApiError as exc:
        log.error(
            "escalation #%d: Slack refused the %s form: %s",
            number,
            action.name,
            exc.response.get("error"),
        )


async def _verdict(
    core: Core, body: dict[str, Any], respond: AsyncRespond, number: int, *, solved: bool
) -> None:
    """The asker's verdict on an answer: solved closes the ticket, not solved sends it on. The
    asker is told at once; the answer's buttons give way to what happened when the outbox
    updates the posts about the ticket."""
    try:
        esc = await core.ladder.confirm(number, presser(core, body), solved=solved)
    except Refused as exc:
        await respond(
            response_type="ephemeral", replace_original=False, text=refused_text(core.settings, exc)
        )
        return
    core.kick()
    status = await core.ladder.status(esc.id)
    key = "confirmed" if solved else "sent_on"
    note = ESCALATION_TEXTS[status.question.language][key].format(n=number)
    await respond(response_type="ephemeral", replace_original=False, text=note)


def register_escalations(app: AsyncApp, core: Core, kept: Middleware) -> None:
    @app.action(ESCALATION_ACTIONS, middleware=[kept])
    async def escalation_button(
        ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, respond: AsyncRespond
    ) -> None:
        await ack()
        await on_escalation_button(core, body, client, respond)
