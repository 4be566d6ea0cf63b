"""The superusers' action results (`bot.support.actions`) as text, for any channel.

Each channel gives its `Style`: how a person, a channel and a group are referred to, how user
text is made inert, what bold, a quote and an uptime status look like. Slack passes mrkdwn
mentions and emoji; the terminal plain text. The wording itself comes from `bot.texts`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

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
)
from bot.texts import ACTION_NAMES, DESK, REFUSED, STATE_NAMES, t, wording

QUOTED = 120  # how much of a phrasing or a question a listing quotes
TIME = "%Y-%m-%d %H:%M"


def shorten(text: str, limit: int) -> str:
    """The text, cut to `limit` characters with an ellipsis when it is longer."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


@dataclass(frozen=True)
class Style:
    person: Callable[[str], str]
    channel: Callable[[str], str]
    group: Callable[[str], str]
    escape: Callable[[str], str]
    bold: Callable[[str], str]
    quote: Callable[[str], str]
    status: dict[str, str]  # an uptime check's status: up, down, unknown


def plain_quote(text: str, limit: int = 300) -> str:
    return "\n".join("> " + line for line in shorten(text, limit).splitlines() or [""])


PLAIN = Style(
    person=lambda user: f"@{user}",
    channel=lambda channel: f"#{channel}",
    group=lambda group: f"@{group}",
    escape=lambda text: text,
    bold=lambda text: text,
    quote=plain_quote,
    status={"up": "[upp]", "down": "[NERE]", "unknown": "[?]"},
)


class ResultText:
    """Results in one channel's style."""

    def __init__(self, style: Style) -> None:
        self.style = style
        self.by_type: dict[type, Callable[[Any], str]] = {
            Text: self.said,
            Refusal: self.refusal,
            Unknown: self.unknown,
            Queue: self.queue,
            Owners: self.owners,
            UptimeReport: self.uptime,
            Ticket: self.ticket,
            Unresolved: self.unresolved,
            LearnedList: self.learned,
        }

    def result(self, result: Result) -> str:
        """A result as the text of a reply (`Asked` is a question's reply: the channel draws it)."""
        return self.by_type[type(result)](result)

    def value(self, value: Value) -> str:
        if isinstance(value, Person):
            return self.style.person(value.id)
        if isinstance(value, Quote):
            return self.style.escape(shorten(value.text, QUOTED))
        return self.style.escape(str(value))

    def said(self, text: Text) -> str:
        """A core text with its values filled in: user text made inert, people referred to."""
        values = {key: self.value(value) for key, value in text.values.items()}
        return wording(text.key, text.language).format(**values)

    def refusal(self, refused: Refusal) -> str:
        """A refusal in words: the person referred to, every other value (an area or a reason
        may be what someone typed) made inert."""
        values = {key: self.value(value) for key, value in refused.values.items()}
        return REFUSED.get(refused.code, refused.code).format(**values)

    def unknown(self, unknown: Unknown) -> str:
        """An unknown command, and the help."""
        lang = unknown.language
        name = self.style.escape(unknown.name)
        return f"{t(lang, 'unknown_command', name=name)}\n{t(lang, 'usage')}"

    def queue_line(self, ticket: Queued) -> str:
        """One line of a queue: number, state, who has it, age, business time left, question."""
        left = ""
        if ticket.left is not None:
            left = ", " + DESK["queue_left"].format(left=_duration(ticket.left))
        elif ticket.overdue:
            left = ", " + DESK["queue_overdue"]
        who = self.style.person(ticket.holder) if ticket.holder else DESK["nobody"]
        state = STATE_NAMES.get(ticket.state, ticket.state)
        age = DESK["queue_age"].format(age=_duration(ticket.age))
        short = self.style.escape(shorten(ticket.question, 90))
        number = self.style.bold(f"#{ticket.number}")
        return f"• {number} {state} · {who} · {age}{left}: {short}"

    def queue(self, queue: Queue) -> str:
        title = self.said(queue.title)
        if not queue.tickets:
            return DESK["queue_empty"].format(title=title)
        header = DESK["queue_header"].format(title=self.style.bold(title), count=len(queue.tickets))
        return "\n".join([header, *(self.queue_line(ticket) for ticket in queue.tickets)])

    def owners(self, owners: Owners) -> str:
        style = self.style
        lines = [DESK["owners_header"].format(title=style.bold(DESK["owners_title"]))]
        for area in owners.areas:
            people = ", ".join(style.person(u) for u in area.superusers) or DESK["owners_none"]
            group = f" ({style.group(area.usergroup)})" if area.usergroup else ""
            lines.append(f"• {style.escape(area.name)}: {people}{group}")
        if owners.vendor:
            lines.append("• " + DESK["owners_then"].format(vendor=style.escape(owners.vendor)))
        return "\n".join(lines)

    def uptime(self, report: UptimeReport) -> str:
        style = self.style
        lines = [DESK["uptime_header"].format(title=style.bold(DESK["uptime_title"]))]
        for check in report.checks:
            shares = " · ".join(
                "-" if share is None else f"{share:.1%}".replace(".", ",") for share in check.shares
            )
            icon = style.status.get(check.status, "")
            line = f"{icon} {style.bold(style.escape(check.name))}: {shares}"
            if check.status == "down" and check.down_since:
                since = check.down_since.strftime(TIME)
                error = style.escape(check.error or "")
                line += "\n    " + DESK["uptime_down"].format(since=since, error=error)
            lines.append(line)
        if report.owner:
            lines.append(DESK["uptime_owner"].format(owner=style.person(report.owner)))
        return "\n".join(lines)

    def ticket(self, ticket: Ticket) -> str:
        """A ticket's status: its state, who has it, the question, the answer, the history."""
        style = self.style
        holder = f" · {style.person(ticket.holder)}" if ticket.holder else ""
        state = STATE_NAMES.get(ticket.state, ticket.state)
        lines = [
            f"{style.bold(f'#{ticket.number}')} {state}{holder} · "
            f"{style.escape(ticket.area or '-')}",
            style.quote(ticket.question),
        ]
        if ticket.answer:
            lines.append(DESK["status_answer"].format(answer=style.escape(ticket.answer)))
        for step in ticket.history:
            actor = DESK["the_bot"] if step.actor is None else style.person(step.actor)
            what = style.escape(ACTION_NAMES.get(step.action, step.action))
            line = DESK["status_step"].format(when=step.at.strftime(TIME), what=what, actor=actor)
            detail = f": {self.value(step.detail)}" if step.detail else ""
            lines.append(f"• {line}{detail}")
        return "\n".join(lines)

    def unresolved(self, unresolved: Unresolved) -> str:
        style = self.style
        lang, count = unresolved.language, str(len(unresolved.questions))
        title = style.bold(t(lang, "unresolved_title"))
        lines = [t(lang, "unresolved_header", title=title, count=count)]
        for q in unresolved.questions:
            where = f" {style.channel(q.channel)}" if q.channel else ""
            text = style.escape(shorten(q.text, QUOTED))
            when, asker = q.at.strftime(TIME), style.person(q.asker)
            if q.ticket is None:
                number, who = "", t(lang, "unresolved_no_ticket")
            elif q.holder is None:
                number, who = f"#{q.ticket}  ", t(lang, "unresolved_queue")
            else:
                number = f"#{q.ticket}  "
                who = t(lang, "unresolved_with", who=self.value(q.holder))
            lines.append(f"• {number}{when}  {asker}{where}: {text} ({who})")
        return "\n".join(lines)

    def learned(self, learned: LearnedList) -> str:
        escape, lang = self.style.escape, learned.language
        title = self.style.bold(t(lang, "learned_title"))
        lines = [t(lang, "learned_header", title=title, count=str(len(learned.phrasings)))]
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


def _duration(delta: timedelta) -> str:
    minutes = max(int(delta.total_seconds() // 60), 0)
    if minutes < 60:
        return f"{minutes} min"
    hours = minutes // 60
    return f"{hours} h" if hours < 48 else f"{hours // 24} d"
