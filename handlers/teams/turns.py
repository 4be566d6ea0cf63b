"""What Teams sends the bot, turn by turn: a message (a question in a 1:1 chat, or where the bot
is @mentioned in a channel or group chat), a card's button (`Action.Submit`: the message's
`value`), and the app being added to a conversation (its reference is kept for later sends).

A question is asked within the request: the core records it and queues the reply card in the
outbox in one transaction, and the outbox sends it (`notify.py`); a redelivered activity is
recognised by its id and not answered twice. A button's result is shown at once in the turn.
"""

from __future__ import annotations

import html
import logging
import re
from typing import Any

from microsoft_agents.activity import Activity, ActivityTypes, Attachment
from microsoft_agents.hosting.core import TurnContext

from bot.app import Core
from bot.faq.model import Entry
from bot.faq.text import detect_language
from bot.store.models import Question
from bot.support.actions import record_id
from bot.support.escalations import Refused
from bot.support.notices import ReplyNotice
from bot.support.questions import SUGGESTIBLE, DuplicateEvent, FeedbackResult, Origin, Outgoing
from bot.texts import ESCALATION_TEXTS, t
from handlers.teams import cards
from handlers.teams.identity import ROUTE, person

log = logging.getLogger(__name__)

TAG = re.compile(r"<[^>]+>")


def question_text(activity: Activity) -> str:
    """The message as plain text: the bot's mention is already taken out by the SDK; other
    mentions keep the name, and Teams' HTML is reduced to its words."""
    raw = activity.text or ""
    lines = (" ".join(html.unescape(TAG.sub(" ", line)).split()) for line in raw.splitlines())
    return "\n".join(line for line in lines if line)


def mentions_the_bot(activity: Activity) -> bool:
    bot_id = activity.recipient.id if activity.recipient else None
    for entity in activity.entities or []:
        data = entity.model_dump(by_alias=True) if hasattr(entity, "model_dump") else {}
        mentioned = data.get("mentioned") or {}
        if data.get("type") == "mention" and bot_id and mentioned.get("id") == bot_id:
            return True
    return False


def conversation_kind(activity: Activity) -> str:
    conversation = activity.conversation
    return (conversation.conversation_type if conversation else None) or "personal"


def asker(core: Core, activity: Activity) -> tuple[str, str | None]:
    """(who the sender is to the core, their name): their Entra object id, else Teams' id."""
    sender = activity.from_property
    native = (sender.aad_object_id or sender.id) if sender else "unknown"
    return person(core.settings, native), sender.name if sender else None


def reference_of(activity: Activity) -> dict[str, Any]:
    """What the outbox needs to send into this conversation later: its conversation reference
    without the message it came with."""
    reference = activity.get_conversation_reference()
    reference.activity_id = None
    return reference.model_dump(by_alias=True, exclude_none=True, mode="json")


async def keep_reference(core: Core, activity: Activity) -> None:
    if not (activity.conversation and activity.service_url):
        return
    kind = conversation_kind(activity)
    who = asker(core, activity)[0] if kind == "personal" and activity.from_property else None
    await core.references.keep(
        ROUTE, activity.conversation.id, kind, reference_of(activity), person=who
    )


def card_activity(content: cards.Card, summary: str) -> Activity:
    return Activity(
        type=ActivityTypes.message,
        summary=summary[:200],
        attachments=[Attachment(content_type=cards.CARD_TYPE, content=content)],
    )


async def on_message(core: Core, context: TurnContext) -> None:
    activity = context.activity
    if isinstance(activity.value, dict) and "firstline" in activity.value:
        await on_button(core, context, activity.value)
        return
    kind = conversation_kind(activity)
    if kind != "personal" and not mentions_the_bot(activity):
        return  # chatter in a channel the bot is in: not for it
    await keep_reference(core, activity)
    await ask(core, activity)


async def ask(core: Core, activity: Activity) -> None:
    """Answer a question once: the reply card is queued with the question, sent by the outbox."""
    text = question_text(activity)
    conversation = activity.conversation.id
    event_id = f"teams:{activity.id or ''}:{conversation}"[:191]
    who, name = asker(core, activity)

    def outgoing(content: cards.Card, summary: str, question: int | None) -> Outgoing:
        message = {"conversation": conversation, "reply_to": activity.id, "card": content}
        message["text"] = summary
        return Outgoing(ROUTE, ReplyNotice(message, question).payload(), conversation)

    if not text:  # nothing but the mention: say what the bot does
        lang = detect_language(text)
        greeting = outgoing(cards.note_card(t(lang, "greeting")), t(lang, "greeting"), None)
        if await core.desk.reply_once(event_id, greeting):
            core.kick()
        return
    origin = Origin(ROUTE, who, conversation, activity.id, activity.id, event_id, name)

    def write(reply: Any) -> Outgoing:
        content = cards.reply_card(core.settings, reply, text, core.desk.examples(reply.language))
        summary = reply.match.entry.question if reply.answered else text
        return outgoing(content, summary, reply.question.id if reply.question else None)

    try:
        await core.desk.ask(text, origin, write)
    except DuplicateEvent:
        return
    core.kick()


async def on_button(core: Core, context: TurnContext, value: dict[str, Any]) -> None:
    """A card's button: the asker's verdict, a suggested entry, "ask a superuser anyway"."""
    action = value.get("firstline")
    who, name = asker(core, context.activity)
    if action in (cards.ESC_SOLVED, cards.ESC_NOT_SOLVED):
        await _escalation_verdict(core, context, value, who, action == cards.ESC_SOLVED)
        return
    question_id = record_id(value.get("q"))
    question = await core.desk.get(question_id) if question_id is not None else None
    if question is None or question.source != ROUTE:
        await context.send_activity(t("sv", "question_gone"))
        return
    lang = question.language
    if action in (cards.SOLVED, cards.NOT_HELPFUL):
        await _feedback(core, context, question, who, name, action == cards.SOLVED)
    elif action == cards.ENTRY:
        await _entry(core, context, question, who, str(value.get("h", "")))
    elif action == cards.ENTRY_SOLVED:
        await _entry_solved(core, context, question, who, str(value.get("h", "")))
    elif action == cards.ASK_ANYWAY:
        await _ask_anyway(core, context, question, who, name)
    else:
        log.warning("a Teams card sent an unknown action %r", action)
        await context.send_activity(t(lang, "question_gone"))
    core.kick()


async def _replace_card(context: TurnContext, content: cards.Card, summary: str) -> None:
    """Draw the pressed card anew (Teams says which message the press came from)."""
    message_id = context.activity.reply_to_id
    if not message_id:
        return
    update = card_activity(content, summary)
    update.id = message_id
    update.conversation = context.activity.conversation
    await context.update_activity(update)


async def _feedback(
    core: Core, context: TurnContext, question: Question, who: str, name: str | None, solved: bool
) -> None:
    feedback = await core.desk.feedback(question.id, who, solved=solved)
    lang = question.language
    if feedback.result not in (FeedbackResult.SOLVED, FeedbackResult.NOT_HELPFUL):
        await context.send_activity(cards.refused_text(core.settings, feedback, lang, "only_asker"))
        return
    note = t(lang, "solved_ack" if solved else "not_helpful_marked", user=cards.escape(name or who))
    entry = core.knowledge.entry(question.matched_question or "")
    if entry is not None:
        area = core.settings.area(entry.area)
        await _replace_card(
            context, cards.with_note(cards.card(cards.entry_body(entry, area, lang)), note), note
        )
    else:
        await context.send_activity(note)
    if not solved:
        body = cards.unresolved_body(
            core.settings, lang, question.text, feedback.area, key="not_helpful_ack"
        )
        await context.send_activity(card_activity(cards.card(body), question.text))


async def _entry_or_gone(core: Core, context: TurnContext, lang: str, heading: str) -> Entry | None:
    """The FAQ entry a button names, or None after telling the presser it is no longer there."""
    entry = core.knowledge.entry(heading)
    if entry is None:
        await context.send_activity(t(lang, "suggestion_gone"))
    return entry


async def _entry(
    core: Core, context: TurnContext, question: Question, who: str, heading: str
) -> None:
    """A suggested or clarifying entry: its answer, and to the asker "that solved my question"."""
    lang = question.language
    entry = await _entry_or_gone(core, context, lang, heading)
    if entry is None:
        return
    actions = []
    if question.asker == who and question.status in SUGGESTIBLE:
        label = t(lang, "suggestion_solved_button")
        actions.append(cards.submit(label, cards.ENTRY_SOLVED, question.id, h=entry.question))
    body = cards.entry_body(entry, core.settings.area(entry.area), lang)
    await context.send_activity(card_activity(cards.card(body, actions), entry.question))


async def _entry_solved(
    core: Core, context: TurnContext, question: Question, who: str, heading: str
) -> None:
    lang = question.language
    entry = await _entry_or_gone(core, context, lang, heading)
    if entry is None:
        return
    feedback, closed = await core.ladder.solved_by_suggestion(question.id, who, entry.question)
    if feedback.result is not FeedbackResult.SOLVED:
        await context.send_activity(cards.refused_text(core.settings, feedback, lang, "only_asker"))
        return
    note = t(lang, "suggestion_solved")
    if closed is not None:
        note += " " + t(lang, "suggestion_case_closed", n=str(closed.id))
    body = cards.entry_body(entry, core.settings.area(entry.area), lang)
    await _replace_card(context, cards.with_note(cards.card(body), note), note)


async def _ask_anyway(
    core: Core, context: TurnContext, question: Question, who: str, name: str | None
) -> None:
    """The asker wants a superuser after all: escalated like an unanswered question (the ladder
    tells them who has it); anyone else, or a second press, is told why not."""
    feedback = await core.desk.ask_anyway(question.id, who)
    lang = question.language
    if feedback.result is not FeedbackResult.ASKED_ANYWAY:
        if feedback.result is FeedbackResult.NOT_ASKER:
            text = cards.refused_text(core.settings, feedback, lang, "only_asker_send")
        elif feedback.question is not None and feedback.question.status != "solved":
            text = t(lang, "already_asked")
        else:
            text = cards.refused_text(core.settings, feedback, lang, "only_asker_send")
        await context.send_activity(text)
        return
    note = t(lang, "asked_anyway_note", user=cards.escape(name or who))
    await _replace_card(context, cards.note_card(note), note)


async def _escalation_verdict(
    core: Core, context: TurnContext, value: dict[str, Any], who: str, solved: bool
) -> None:
    """The asker's verdict on a superuser's (or the vendor's) answer to their ticket."""
    number = record_id(value.get("n"))
    if number is None:
        await context.send_activity(t("sv", "question_gone"))
        return
    try:
        esc = await core.ladder.confirm(number, who, solved=solved)
    except Refused as exc:
        await context.send_activity(cards.refused(core.settings, exc))
        return
    core.kick()
    status = await core.ladder.status(esc.id)
    texts = ESCALATION_TEXTS[status.question.language]
    note = texts["confirmed" if solved else "sent_on"].format(n=esc.id)
    await _replace_card(context, cards.note_card(note), note)


async def on_installed(core: Core, context: TurnContext) -> None:
    """The app was added to a conversation (or the bot to its members): keep its reference."""
    await keep_reference(core, context.activity)
