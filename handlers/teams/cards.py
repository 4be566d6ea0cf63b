"""Adaptive Cards for the bot's replies in Teams. Pure functions: core results in, card JSON
out. What a person typed is escaped (Teams renders a subset of Markdown in a TextBlock); the
FAQ's own Markdown is shown as written. Buttons are `Action.Submit`s whose data says what was
pressed (`firstline`: the action, `q`: the question, `h`: an FAQ entry's heading)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from bot.faq.model import Entry
from bot.settings import Area, Settings
from bot.support.actions import refusal
from bot.support.escalations import Refused
from bot.support.questions import Feedback, FeedbackResult, Reply, Status
from bot.texts import ESCALATION_TEXTS, help_now, off_topic_text, small_talk_text, t
from handlers.results import ResultText, Style

Card = dict[str, Any]
CARD_TYPE = "application/vnd.microsoft.card.adaptive"
SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"

SOLVED, NOT_HELPFUL, ENTRY = "solved", "not_helpful", "entry"
ENTRY_SOLVED, ASK_ANYWAY = "entry_solved", "ask_anyway"
ESC_SOLVED, ESC_NOT_SOLVED = "esc_solved", "esc_not_solved"
# what Teams' Markdown subset (bold, italic, links) would take as formatting, and HTML
MARKDOWN = re.compile(r"([\\*_\[\]<>])")


def escape(text: str) -> str:
    """A person's words as they typed them: no Markdown, no HTML."""
    return MARKDOWN.sub(r"\\\1", text)


def card(body: list[dict[str, Any]], actions: Sequence[dict[str, Any]] = ()) -> Card:
    content: Card = {"type": "AdaptiveCard", "$schema": SCHEMA, "version": "1.5", "body": body}
    if actions:
        content["actions"] = list(actions)
    return content


def text(value: str, *, bold: bool = False, subtle: bool = False) -> dict[str, Any]:
    block: dict[str, Any] = {"type": "TextBlock", "text": value, "wrap": True}
    if bold:
        block["weight"] = "Bolder"
    if subtle:
        block.update(isSubtle=True, size="Small")
    return block


def submit(title: str, action: str, question: int, **data: Any) -> dict[str, Any]:
    return {
        "type": "Action.Submit",
        "title": title,
        "data": {"firstline": action, "q": question, **data},
    }


def entry_body(entry: Entry, area: Area | None, lang: str) -> list[dict[str, Any]]:
    """One FAQ entry: its question in bold, the answer and why, the area and owner."""
    body = [text(escape(entry.question), bold=True), text(entry.answer)]
    if entry.why:
        body += [text(escape(entry.why_title or t(lang, "why")), bold=True), text(entry.why)]
    facts = [{"title": t(lang, "area"), "value": escape(area.name if area else entry.area)}]
    if entry.owner:
        facts.append({"title": t(lang, "owner"), "value": escape(entry.owner)})
    body.append({"type": "FactSet", "facts": facts})
    return body


def answer_card(entry: Entry, area: Area | None, lang: str, question: int) -> Card:
    return card(
        entry_body(entry, area, lang),
        [
            submit(t(lang, "solved_button"), SOLVED, question),
            submit(t(lang, "not_helpful_button"), NOT_HELPFUL, question),
        ],
    )


def entry_buttons(question: int, entries: Sequence[Entry]) -> list[dict[str, Any]]:
    return [submit(e.question[:75], ENTRY, question, h=e.question[:1800]) for e in entries]


def reply_card(settings: Settings, reply: Reply, asked: str, examples: Sequence[str]) -> Card:
    """The reply to a message, with the buttons that fit its outcome."""
    lang = reply.language
    if reply.small_talk is not None:
        quoted = [escape(e) for e in examples]
        return card([text(small_talk_text(lang, reply.small_talk.kind, quoted))])
    assert reply.question is not None
    question = reply.question.id
    if reply.answered:
        assert reply.match.entry is not None
        return answer_card(reply.match.entry, reply.area, lang, question)
    if reply.clarifications:
        return card(
            [text(t(lang, "clarify_intro"), bold=True), text(t(lang, "clarify_pick"))],
            [
                *entry_buttons(question, reply.clarifications),
                submit(t(lang, "none_of_them_button"), ASK_ANYWAY, question),
            ],
        )
    if reply.question.status == Status.OFF_TOPIC:
        decline = off_topic_text(lang, settings.elsewhere)
        return card(
            [text(decline), text(t(lang, "off_topic_anyway"))],
            [submit(t(lang, "ask_anyway_button"), ASK_ANYWAY, question)],
        )
    body = unresolved_body(settings, lang, asked, None)
    if reply.suggestions:
        body.append(text(t(lang, "suggestions_intro"), bold=True))
    return card(body, entry_buttons(question, reply.suggestions))


def unresolved_body(
    settings: Settings, lang: str, asked: str, area: Area | None, key: str = "unknown"
) -> list[dict[str, Any]]:
    """The honest 'I don't know': what was recorded, what happens to it, who can help now."""
    area_part = t(lang, "unknown_area_part", area=area.name) if area else ""
    contact, _channel = settings.help_route(area)  # channels are Slack's: named only there
    route = help_now(lang, escape(contact) if contact else None, None)
    return [
        text("> " + escape(asked)),
        text(t(lang, key, area_part=area_part)),
        *([text(route)] if route else []),
    ]


def with_note(content: Card, note: str) -> Card:
    """The card after its buttons were used: the buttons give way to what happened (`note`,
    with any name in it escaped already)."""
    return card([*content["body"], text(note, subtle=True)])


def note_card(note: str) -> Card:
    return card([text(note)])


def refused_text(settings: Settings, feedback: Feedback, lang: str, key: str) -> str:
    """Why an asker's button changed nothing: someone else's question, one already settled,
    or one that is gone. `key`: the text for someone who isn't the asker."""
    question = feedback.question
    if question is None or feedback.result is FeedbackResult.UNKNOWN:
        return t(lang, "question_gone")
    if feedback.result is FeedbackResult.NOT_ASKER:
        return t(lang, key, asker=settings.name_of(question.asker_name or question.asker))
    if question.status == Status.SOLVED:
        return t(lang, "already", state=t(lang, "state_solved"))
    if question.feedback is not None or question.status == Status.UNRESOLVED:
        return t(lang, "already", state=t(lang, "state_unresolved"))
    return t(lang, "ticket_closed")


def escalation_answer_card(lang: str, number: int, who: str, answer: str) -> Card:
    texts = ESCALATION_TEXTS[lang]
    intro = texts["answer_intro"].format(n=number, who=escape(who))
    return card(
        [text(intro, bold=True), text(answer)],
        [
            submit(texts["solved_button"], ESC_SOLVED, 0, n=number),
            submit(texts["not_solved_button"], ESC_NOT_SOLVED, 0, n=number),
        ],
    )


def results(settings: Settings) -> ResultText:
    """The actions' results in Teams' words: Markdown, people by name (no mentions yet)."""
    return ResultText(
        Style(
            person=lambda user: escape(settings.name_of(user)),
            channel=escape,
            group=escape,
            escape=escape,
            bold=lambda value: f"**{value}**",
            quote=lambda value: "> " + escape(value),
            status={"up": "🟢", "down": "🔴", "unknown": "⚪"},
        )
    )


def refused(settings: Settings, exc: Refused) -> str:
    return results(settings).refusal(refusal(exc))
