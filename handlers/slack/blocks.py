"""Block Kit and mrkdwn for the bot's replies. Pure functions: core results in, Slack JSON or
mrkdwn out (user text escaped, people as mentions, times as the core gives them)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from bot.faq.model import Entry
from bot.settings import Area, Settings
from bot.store.models import Escalation, Question
from bot.support.actions import (
    queued,
    record_id,
    refusal,
)
from bot.support.escalations import Refused
from bot.support.questions import Feedback, FeedbackResult, Reply, Status
from bot.texts import (
    help_now,
    off_topic_text,
    small_talk_text,
    t,
)
from handlers.results import ResultText, Style
from handlers.slack.identity import mention
from handlers.slack.mrkdwn import escape, quote, shorten, split_sections, to_mrkdwn

SOLVED_ACTION = "feedback_solved"
NOT_HELPFUL_ACTION = "feedback_not_helpful"
FEEDBACK_BLOCK = "feedback"
SUGGESTION_ACTION = "suggestion"  # suggestion_0, suggestion_1: action ids are unique per block
SUGGESTION_SOLVED_ACTION = "suggestion_solved"
SUGGESTIONS_BLOCK = "suggestions"
ASK_ANYWAY_ACTION = "ask_anyway"  # a declined or vague question: "ask a superuser anyway"
ASK_ANYWAY_BLOCK = "ask_anyway"

Block = dict[str, Any]


def _section(text: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def _context(text: str) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text}]}


def answer_blocks(reply: Reply, *, with_feedback: bool = True) -> list[Block]:
    """The FAQ answer, its why, where it came from, and the two feedback buttons."""
    entry = reply.match.entry
    assert entry is not None
    blocks = entry_blocks(entry, reply.area, reply.language)
    if with_feedback:
        blocks.append(feedback_actions(reply.question.id, reply.language))
    return blocks


def entry_blocks(entry: Entry, area: Area | None, lang: str) -> list[Block]:
    """One FAQ entry: its question, answer and why, and where it came from."""
    blocks = [_section(f"*{escape(entry.question)}*")]
    blocks += [_section(chunk) for chunk in split_sections(to_mrkdwn(entry.answer))]
    if entry.why:
        title = escape(entry.why_title or t(lang, "why"))
        blocks += [_section(c) for c in split_sections(f"*{title}*\n{to_mrkdwn(entry.why)}")]
    area_name = area.name if area else entry.area
    source = (
        f"{t(lang, 'area')}: *{escape(area_name)}*  ·  "
        f"{t(lang, 'matched')}: _{escape(entry.question)}_"
    )
    if entry.owner:
        source += f"  ·  {t(lang, 'owner')}: {escape(entry.owner)}"
    blocks.append(_context(source))
    return blocks


def suggestion_blocks(question_id: int, entries: Sequence[Entry], lang: str) -> list[Block]:
    """Similar FAQ questions under an unanswered one: a button per suggested entry, which shows
    its answer to whoever presses it."""
    if not entries:
        return []
    return [_section(f"*{t(lang, 'suggestions_intro')}*"), _entry_buttons(question_id, entries)]


def _entry_buttons(question_id: int, entries: Sequence[Entry]) -> Block:
    """A button per FAQ entry (suggested, or offered for a vague question), which shows its
    answer to whoever presses it."""
    buttons = [
        {
            "type": "button",
            "action_id": f"{SUGGESTION_ACTION}_{i}",
            "text": {"type": "plain_text", "text": shorten(entry.question, 75), "emoji": True},
            "value": suggestion_value(question_id, entry),
        }
        for i, entry in enumerate(entries)
    ]
    return {"type": "actions", "block_id": SUGGESTIONS_BLOCK, "elements": buttons}


def small_talk_blocks(reply: Reply, examples: Sequence[str]) -> list[Block]:
    """The short reply to small talk ("tack!", "hej", "help"): plain text, no buttons."""
    assert reply.small_talk is not None
    quoted = [escape(e) for e in examples]
    return [_section(small_talk_text(reply.language, reply.small_talk.kind, quoted))]


def clarify_blocks(reply: Reply, *, ask_anyway: bool = True) -> list[Block]:
    """A question too vague to answer: the FAQ entries it may mean as buttons, and (where the
    bot can follow up in a thread) "none of them: ask a superuser"."""
    assert reply.question is not None
    lang, question_id = reply.language, reply.question.id
    blocks = [
        _section(f"*{t(lang, 'clarify_intro')}*\n{t(lang, 'clarify_pick')}"),
        _entry_buttons(question_id, reply.clarifications),
    ]
    if ask_anyway:
        blocks.append(ask_anyway_actions(question_id, lang, "none_of_them_button"))
    return blocks


def off_topic_blocks(reply: Reply, settings: Settings, *, ask_anyway: bool = True) -> list[Block]:
    """A question that is not about the ERP: declined, with where to ask instead, and (where
    the bot can follow up in a thread) a button to send it to a superuser after all."""
    assert reply.question is not None
    lang = reply.language
    text = off_topic_text(lang, settings.elsewhere)
    if not ask_anyway:
        return [_section(text)]
    return [
        _section(f"{text}\n{t(lang, 'off_topic_anyway')}"),
        ask_anyway_actions(reply.question.id, lang, "ask_anyway_button"),
    ]


def ask_anyway_actions(question_id: int, lang: str, label: str) -> Block:
    return {
        "type": "actions",
        "block_id": ASK_ANYWAY_BLOCK,
        "elements": [
            {
                "type": "button",
                "action_id": ASK_ANYWAY_ACTION,
                "text": {"type": "plain_text", "text": t(lang, label), "emoji": True},
                "value": str(question_id),
            }
        ],
    }


def ask_anyway_refused_text(settings: Settings, feedback: Feedback, lang: str) -> str:
    """Why "ask a superuser anyway" changed nothing: someone else's question, one already sent
    on or settled, or one that is gone."""
    question = feedback.question
    if question is None or feedback.result is FeedbackResult.UNKNOWN:
        return t(lang, "question_gone")
    if feedback.result is FeedbackResult.NOT_ASKER:
        return t(lang, "only_asker_send", asker=mention(settings, question.asker))
    if question.status == Status.SOLVED:
        return t(lang, "already", state=t(lang, "state_solved"))
    return t(lang, "already_asked")


def suggestion_solved_actions(question_id: int, entry: Entry, lang: str) -> Block:
    """Under a suggested answer shown to the asker: "that solved my question"."""
    return {
        "type": "actions",
        "block_id": SUGGESTIONS_BLOCK,
        "elements": [
            {
                "type": "button",
                "action_id": SUGGESTION_SOLVED_ACTION,
                "text": {
                    "type": "plain_text",
                    "text": t(lang, "suggestion_solved_button"),
                    "emoji": True,
                },
                "style": "primary",
                "value": suggestion_value(question_id, entry),
            }
        ],
    }


def suggestion_value(question_id: int, entry: Entry) -> str:
    """A suggestion button's value: the question and the entry's heading, within Slack's 2,000
    characters (a heading cut short is no longer found, and the press says so)."""
    return json.dumps({"q": question_id, "h": entry.question[:1800]}, ensure_ascii=False)


def parse_suggestion_value(value: str) -> tuple[int, str] | None:
    """(question id, entry heading) from a suggestion button's value; None if it is not one
    (a crafted value: not JSON, no heading, no question id the database could hold)."""
    try:
        data = json.loads(value)
        question_id, heading = record_id(data["q"]), data["h"]
    except (ValueError, TypeError, KeyError):
        return None
    if question_id is None or not isinstance(heading, str):
        return None
    return question_id, heading


def feedback_actions(question_id: int, lang: str) -> Block:
    return {
        "type": "actions",
        "block_id": FEEDBACK_BLOCK,
        "elements": [
            {
                "type": "button",
                "action_id": SOLVED_ACTION,
                "text": {"type": "plain_text", "text": t(lang, "solved_button"), "emoji": True},
                "style": "primary",
                "value": str(question_id),
            },
            {
                "type": "button",
                "action_id": NOT_HELPFUL_ACTION,
                "text": {
                    "type": "plain_text",
                    "text": t(lang, "not_helpful_button"),
                    "emoji": True,
                },
                "value": str(question_id),
            },
        ],
    }


def answer_fallback(reply: Reply) -> str:
    """Notification text for clients that can't show blocks (and what Slack notifies with): the
    entry's question escaped, since `/support faq N` may have made an asker's words of it."""
    entry = reply.match.entry
    assert entry is not None
    return f"{t(reply.language, 'answer_intro')} {escape(entry.question)}"


def unresolved_blocks(
    lang: str,
    question: str,
    area: Area | None,
    settings: Settings,
    *,
    key: str = "unknown",
    here: str | None = None,
    escalated: bool = False,
) -> list[Block]:
    """The honest 'I don't know' (or 'noted, that didn't help'): what was recorded, what
    happens to it, and where to get help now: the superuser it went to (`escalated`: the
    area's first, whom the ladder gives it), else the area's contact or first superuser, and
    a channel to ask in that is not the one the asker is in (`here`)."""
    area_part = t(lang, "unknown_area_part", area=area.name) if area else ""
    contact, channel = settings.help_route(area, here)
    first = area.primary if area else None
    holder = mention(settings, first) if escalated and first else None
    if contact:
        contact = escape(contact)
    elif first and not escalated:
        contact = mention(settings, first)
    route = help_now(lang, contact, f"<#{channel}>" if channel else None, holder)
    text = f"{quote(question)}\n{t(lang, key, area_part=area_part)}\n{route}"
    return [_section(chunk) for chunk in split_sections(text)]


def with_outcome(
    blocks: list[Block], note: str, *, block_prefix: str = FEEDBACK_BLOCK
) -> list[Block]:
    """A message after its buttons were used: the buttons replaced by what happened."""
    kept = [b for b in blocks if not str(b.get("block_id", "")).startswith(block_prefix)]
    return [*kept, _context(note)]


def help_blocks(lang: str) -> list[Block]:
    return [_section(t(lang, "greeting"))]


def verdict_refused_text(settings: Settings, feedback: Feedback, lang: str) -> str:
    """Why an asker's button changed nothing: someone else's question, one already settled, or
    one that is gone."""
    question = feedback.question
    if question is None or feedback.result is FeedbackResult.UNKNOWN:
        return t(lang, "question_gone")
    if feedback.result is FeedbackResult.NOT_ASKER:
        return t(lang, "only_asker", asker=mention(settings, question.asker))
    if question.status == Status.SOLVED:
        return t(lang, "already", state=t(lang, "state_solved"))
    if question.feedback is not None:
        return t(lang, "already", state=t(lang, "state_unresolved"))
    return t(lang, "ticket_closed")  # unsettled, but its ticket was closed without it


def results(settings: Settings) -> ResultText:
    """The actions' results in Slack's words: mrkdwn, emoji, people as mentions."""
    return ResultText(
        Style(
            person=lambda user: mention(settings, user),
            channel=lambda channel: f"<#{channel}>",
            group=lambda group: f"<!subteam^{group}>",
            escape=escape,
            bold=lambda text: f"*{text}*",
            quote=quote,
            status={
                "up": ":large_green_circle:",
                "down": ":red_circle:",
                "unknown": ":white_circle:",
            },
        )
    )


def refused_text(settings: Settings, exc: Refused) -> str:
    """Why a superuser action was refused, in words."""
    return results(settings).refusal(refusal(exc))


def escalation_line(settings: Settings, esc: Escalation, question: Question, now: datetime) -> str:
    """One line of a queue for an escalation at `now`."""
    hours = settings.escalation.hours
    return results(settings).queue_line(queued(esc, question, now, hours))
