"""Block Kit and mrkdwn for the bot's replies. Pure functions: core results in, Slack JSON or
mrkdwn out (user text escaped, people as mentions, times as the core gives them)."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from bot.faq.model import Entry
from bot.settings import Area, Settings
from bot.store.models import Escalation, Question
from bot.support.actions import (
    LearnedList,
    Owners,
    Person,
    Queue,
    Queued,
    Quote,
    Refusal,
    Result,
    Text,
    Ticket,
    Unknown,
    Unresolved,
    UptimeReport,
    Value,
    queued,
    refusal,
)
from bot.support.escalations import Refused
from bot.support.hours import BusinessHours
from bot.support.questions import Feedback, FeedbackResult, Reply, Status
from bot.texts import (
    ACTION_NAMES,
    DESK,
    REFUSED,
    STATE_NAMES,
    help_now,
    off_topic_text,
    small_talk_text,
    t,
    wording,
)
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


def ask_anyway_refused_text(feedback: Feedback, lang: str) -> str:
    """Why "ask a superuser anyway" changed nothing: someone else's question, one already sent
    on or settled, or one that is gone."""
    question = feedback.question
    if question is None or feedback.result is FeedbackResult.UNKNOWN:
        return t(lang, "question_gone")
    if feedback.result is FeedbackResult.NOT_ASKER:
        return t(lang, "only_asker_send", asker=f"<@{question.asker}>")
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
    """(question id, entry heading) from a suggestion button's value; None if it is not one."""
    try:
        data = json.loads(value)
        return int(data["q"]), str(data["h"])
    except (ValueError, TypeError, KeyError):
        return None


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
    """Notification text for clients that can't show blocks."""
    entry = reply.match.entry
    assert entry is not None
    return f"{t(reply.language, 'answer_intro')} {entry.question}"


def unresolved_blocks(
    lang: str, question: str, area: Area | None, settings: Settings, *, key: str = "unknown"
) -> list[Block]:
    """The honest 'I don't know' (or 'noted, that didn't help'): what was recorded, what
    happens to it, and where to get help now."""
    area_part = t(lang, "unknown_area_part", area=area.name) if area else ""
    contact, channel = settings.help_route(area)
    route = help_now(
        lang, escape(contact) if contact else None, f"<#{channel}>" if channel else None
    )
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


def verdict_refused_text(feedback: Feedback, lang: str) -> str:
    """Why an asker's button changed nothing: someone else's question, one already settled, or
    one that is gone."""
    question = feedback.question
    if question is None or feedback.result is FeedbackResult.UNKNOWN:
        return t(lang, "question_gone")
    if feedback.result is FeedbackResult.NOT_ASKER:
        return t(lang, "only_asker", asker=f"<@{question.asker}>")
    if question.status == Status.SOLVED:
        return t(lang, "already", state=t(lang, "state_solved"))
    if question.feedback is not None:
        return t(lang, "already", state=t(lang, "state_unresolved"))
    return t(lang, "ticket_closed")  # unsettled, but its ticket was closed without it


def refused_text(exc: Refused) -> str:
    """Why a superuser action was refused, in words."""
    return refusal_text(refusal(exc))


def refusal_text(refused: Refusal) -> str:
    """A refusal in words, its values as the core gave them (the person as a mention)."""
    values = {
        k: _mention(v.id) if isinstance(v, Person) else str(v) for k, v in refused.values.items()
    }
    return REFUSED.get(refused.code, refused.code).format(**values)


QUOTED = 120  # how much of a phrasing or a question a listing quotes
TIME = "%Y-%m-%d %H:%M"
UPTIME_ICONS = {"up": ":large_green_circle:", "down": ":red_circle:", "unknown": ":white_circle:"}


def _mention(user: str) -> str:
    return f"<@{user}>"


def _value(value: Value) -> str:
    if isinstance(value, Person):
        return _mention(value.id)
    if isinstance(value, Quote):
        return escape(shorten(value.text, QUOTED))
    return escape(str(value))


def said(text: Text) -> str:
    """A core text with its values filled in: user text escaped, people as mentions."""
    values = {key: _value(value) for key, value in text.values.items()}
    return wording(text.key, text.language).format(**values)


def unknown_text(unknown: Unknown) -> str:
    """An unknown command, and the help."""
    lang = unknown.language
    return f"{t(lang, 'unknown_command', name=escape(unknown.name))}\n{t(lang, 'usage')}"


def escalation_line(
    esc: Escalation, question: Question, now: datetime, hours: BusinessHours
) -> str:
    """One line of a queue for an escalation at `now`."""
    return queue_line(queued(esc, question, now, hours))


def queue_line(ticket: Queued) -> str:
    """One line of a queue: number, state, who has it, age, business time left, the question."""
    left = ""
    if ticket.left is not None:
        left = ", " + DESK["queue_left"].format(left=_duration(ticket.left))
    elif ticket.overdue:
        left = ", " + DESK["queue_overdue"]
    who = _mention(ticket.holder) if ticket.holder else DESK["nobody"]
    state = STATE_NAMES.get(ticket.state, ticket.state)
    age = DESK["queue_age"].format(age=_duration(ticket.age))
    short = escape(shorten(ticket.question, 90))
    return f"• *#{ticket.number}* {state} · {who} · {age}{left}: {short}"


def _duration(delta: timedelta) -> str:
    minutes = max(int(delta.total_seconds() // 60), 0)
    if minutes < 60:
        return f"{minutes} min"
    hours = minutes // 60
    return f"{hours} h" if hours < 48 else f"{hours // 24} d"


def queue_text(queue: Queue) -> str:
    title = said(queue.title)
    if not queue.tickets:
        return DESK["queue_empty"].format(title=title)
    header = DESK["queue_header"].format(title=title, count=len(queue.tickets))
    return "\n".join([header, *(queue_line(ticket) for ticket in queue.tickets)])


def owners_text(owners: Owners) -> str:
    lines = [DESK["owners_header"]]
    for area in owners.areas:
        people = ", ".join(_mention(u) for u in area.superusers) or DESK["owners_none"]
        group = f" (<!subteam^{area.usergroup}>)" if area.usergroup else ""
        lines.append(f"• {escape(area.name)}: {people}{group}")
    if owners.vendor:
        lines.append("• " + DESK["owners_then"].format(vendor=escape(owners.vendor)))
    return "\n".join(lines)


def uptime_text(report: UptimeReport) -> str:
    lines = [DESK["uptime_header"]]
    for check in report.checks:
        shares = " · ".join(
            "-" if share is None else f"{share:.1%}".replace(".", ",") for share in check.shares
        )
        line = f"{UPTIME_ICONS.get(check.status, '')} *{escape(check.name)}*: {shares}"
        if check.status == "down" and check.down_since:
            since = check.down_since.strftime(TIME)
            down = DESK["uptime_down"].format(since=since, error=escape(check.error or ""))
            line += f"\n    {down}"
        lines.append(line)
    if report.owner:
        lines.append(DESK["uptime_owner"].format(owner=_mention(report.owner)))
    return "\n".join(lines)


def ticket_text(ticket: Ticket) -> str:
    """A ticket's status: its state, who has it, the question, the answer and the history."""
    holder = f" · {_mention(ticket.holder)}" if ticket.holder else ""
    state = STATE_NAMES.get(ticket.state, ticket.state)
    lines = [
        f"*#{ticket.number}* {state}{holder} · {escape(ticket.area or '-')}",
        quote(ticket.question),
    ]
    if ticket.answer:
        lines.append(DESK["status_answer"].format(answer=escape(ticket.answer)))
    for step in ticket.history:
        actor = DESK["the_bot"] if step.actor is None else _mention(step.actor)
        what = escape(ACTION_NAMES.get(step.action, step.action))
        line = DESK["status_step"].format(when=step.at.strftime(TIME), what=what, actor=actor)
        detail = f": {escape(step.detail)}" if step.detail else ""
        lines.append(f"• {line}{detail}")
    return "\n".join(lines)


def unresolved_text(unresolved: Unresolved) -> str:
    lines = [t(unresolved.language, "unresolved_header", count=str(len(unresolved.questions)))]
    for q in unresolved.questions:
        where = f" <#{q.channel}>" if q.channel else ""
        when = q.at.strftime(TIME)
        lines.append(
            f"• #{q.id}  {when}  {_mention(q.asker)}{where}: {escape(shorten(q.text, QUOTED))}"
        )
    return "\n".join(lines)


def learned_text(learned: LearnedList) -> str:
    lang = learned.language
    lines = [t(lang, "learned_header", count=str(len(learned.phrasings)))]
    for row in learned.phrasings:
        line = t(
            lang,
            "learned_line",
            id=str(row.id),
            text=escape(shorten(row.text, QUOTED)),
            entry=escape(shorten(row.entry, QUOTED)),
            area=escape(row.area),
            source=t(lang, row.source),
        )
        lines.append(line)
    lines.append(t(lang, "learned_hint"))
    return "\n".join(lines)


# How each kind of result reads in a reply; `Asked` is answered with blocks instead.
RESULT_TEXTS: dict[type, Callable[[Any], str]] = {
    Text: said,
    Refusal: refusal_text,
    Unknown: unknown_text,
    Queue: queue_text,
    Owners: owners_text,
    UptimeReport: uptime_text,
    Ticket: ticket_text,
    Unresolved: unresolved_text,
    LearnedList: learned_text,
}


def result_text(result: Result) -> str:
    """A core action's result as the text of a reply."""
    return RESULT_TEXTS[type(result)](result)
