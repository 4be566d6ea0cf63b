"""The outbox's Slack route: render an escalation notification as Block Kit and post it.

Payloads come from the ladder ({"kind", "escalation", "event", "to"}); the message is rendered
from the database at sending time, so a retried delivery shows the current state.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.app import Core
from bot.ops.digest import NO_OWNER, OWNERS_HEADING
from bot.store.models import EscalationEvent
from bot.support.escalations import BOT, State, Status
from bot.support.outbox import PermanentFailure, Sender, TemporaryFailure
from bot.texts import ACTION_NAMES, ESCALATION_TEXTS, PROGRESS, STATE_NAMES
from handlers.slack.blocks import Block
from handlers.slack.mrkdwn import escape, quote, split_sections, to_mrkdwn

CLAIM, ANSWER, ESCALATE, REASSIGN = "esc_claim", "esc_answer", "esc_escalate", "esc_reassign"
SOLVED, NOT_SOLVED, ADD_FAQ = "esc_solved", "esc_not_solved", "esc_faq"
PERMANENT_ERRORS = {
    "channel_not_found",
    "not_in_channel",
    "is_archived",
    "user_not_found",
    "invalid_blocks",
    "msg_too_long",
    "no_text",
}


def slack_sender(core: Core, client: AsyncWebClient) -> Sender:
    async def send(payload: dict[str, Any]) -> str:
        if payload["kind"] == "reply":  # a bot reply whose first attempt failed
            channel, thread = payload["channel"], payload["thread_ts"]
            text, blocks = payload["text"], payload["blocks"]
        elif payload["kind"] == "digest":
            channel, thread, text = payload["to"], None, payload["title"]
            blocks = digest_blocks(payload["title"], payload["sections"], payload["owners"])
        elif payload["kind"] == "ops":
            channel, thread, text = payload["to"], None, payload["text"]
            owner = (
                f"\nAnsvarig för {payload['owner_role']}: <@{payload['owner']}>"
                if payload.get("owner")
                else ""
            )
            blocks = [_section(f"{payload.get('icon', ':calendar:')} {escape(text)}{owner}")]
        elif payload["kind"].startswith("uptime_"):
            channel, thread, text = payload["to"], None, payload["text"]
            icon = (
                ":large_green_circle:" if payload["kind"] == "uptime_recovered" else ":red_circle:"
            )
            owner = f"\nAnsvarig för drift: <@{payload['owner']}>" if payload.get("owner") else ""
            blocks = [_section(f"{icon} *{escape(text)}*{owner}")]
        else:
            status = await core.ladder.status(payload["escalation"])
            event = next(
                (e for e in status.history if e.id == payload["event"]), status.history[-1]
            )
            channel, thread, text, blocks = await render(core, client, status, event, payload)
        try:
            response = await client.chat_postMessage(
                channel=channel, thread_ts=thread, text=text, blocks=blocks, unfurl_links=False
            )
        except SlackApiError as exc:
            error = exc.response.get("error", "")
            if error in PERMANENT_ERRORS:
                raise PermanentFailure(error) from exc
            retry = exc.response.headers.get("Retry-After") if exc.response.headers else None
            raise TemporaryFailure(error, float(retry) if retry else None) from exc
        if payload["kind"] == "reply" and payload.get("question"):
            await core.desk.set_reply(payload["question"], str(response.get("ts")))
        return str(response.get("ts"))

    return send


Rendered = tuple[str, str | None, str, list[Block]]


@dataclass(frozen=True)
class _Notice:
    """One notification about an escalation, with what every rendering of it needs."""

    core: Core
    status: Status
    event: EscalationEvent
    to: str

    @property
    def n(self) -> int:
        return self.status.escalation.id

    @property
    def area_name(self) -> str:
        area = self.core.settings.area(self.status.escalation.area)
        return area.name if area else "okänt område"

    @property
    def who(self) -> str:
        esc = self.status.escalation
        holder = esc.claimed_by or esc.assignee
        return f"<@{holder}>" if holder else "supportkön"

    @property
    def vendor(self) -> str:
        return escape(self.core.settings.vendor.name)


async def render(
    core: Core,
    client: AsyncWebClient,
    status: Status,
    event: EscalationEvent,
    payload: dict[str, Any],
) -> Rendered:
    """(channel, thread_ts, fallback text, blocks) for one notification."""
    notice = _Notice(core, status, event, payload["to"])
    kind = payload["kind"]
    if kind in ("progress", "closed"):
        return _progress(notice, kind)
    if kind == "answer":
        return _answer(notice)
    if kind == "vendor":
        return _to_vendor(notice)
    details = await _internal_details(notice, client)
    if kind == "assigned":
        return _assigned(notice, details)
    if kind == "reminder":
        return _reminder(notice, details)
    return _triage(notice, details)


def _progress(notice: _Notice, kind: str) -> Rendered:
    """To the asker, in their thread: where their question is now."""
    question, event = notice.status.question, notice.event
    templates = PROGRESS[question.language]
    action = "closed" if kind == "closed" and event.action not in templates else event.action
    text = (templates.get(action) or templates["opened"]).format(
        n=notice.n, who=notice.who, area=escape(notice.area_name), vendor=notice.vendor
    )
    return question.channel or "", question.thread_ts, text, [_section(text)]


def _answer(notice: _Notice) -> Rendered:
    """To the asker, in their thread: the answer, with "solved" and "not solved"."""
    esc, question, event = notice.status.escalation, notice.status.question, notice.event
    texts = ESCALATION_TEXTS[question.language]
    # the answer as it was given (a later "not solved" clears it from the escalation)
    intro = texts["answer_intro"].format(n=notice.n, who=f"<@{event.actor}>")
    blocks = [
        _section(f"*{intro}*\n{to_mrkdwn(event.detail or esc.answer or '')}"),
        _buttons(
            notice.n,
            [
                (SOLVED, texts["solved_button"], "primary"),
                (NOT_SOLVED, texts["not_solved_button"], None),
            ],
        ),
    ]
    return question.channel or "", question.thread_ts, intro, blocks


def _to_vendor(notice: _Notice) -> Rendered:
    """To the vendor's channel, outside the company: no internal links, the asker by name."""
    esc, question = notice.status.escalation, notice.status.question
    asked = escape(question.asker_name or question.asker)
    details = [quote(question.text), f"Frågat av {asked}", *_known(notice)]
    head = f"*Supportärende #{notice.n}* ({escape(notice.area_name)})"
    if esc.vendor_reason:
        reason = ACTION_NAMES.get(esc.vendor_reason, esc.vendor_reason)
        details.append(f"Varför till er: {escape(reason)}")
    details.append("Svara i tråden här, så går svaret till den som frågade.")
    return notice.to, None, f"Supportärende #{notice.n}", [_section(_lines(head, details))]


async def _internal_details(notice: _Notice, client: AsyncWebClient) -> list[str]:
    """The question, who asked where (with a link to the thread), and what we know of it."""
    question = notice.status.question
    link = await _permalink(client, question.channel, question.message_ts)
    where = f" i <#{question.channel}>" if question.channel else ""
    return [
        quote(question.text),
        f"Från <@{question.asker}>{where}" + (f" · <{link}|Öppna tråden>" if link else ""),
        *_known(notice),
    ]


def _known(notice: _Notice) -> list[str]:
    esc, question = notice.status.escalation, notice.status.question
    known = []
    if question.matched_question:
        known.append(f"Botens bästa gissning: _{escape(question.matched_question)}_")
    if esc.note:
        known.append(f"Anteckning: {escape(esc.note)}")
    return known


def _assigned(notice: _Notice, details: list[str]) -> Rendered:
    """To the superuser whose turn it is, with the actions."""
    head = f"*Ny fråga till dig: #{notice.n}* ({escape(notice.area_name)})"
    deadline = _hours(notice.core.settings.escalation.claim_within)
    details = [*details, f"Ta den inom {deadline} arbetstid, annars går den vidare."]
    blocks = [_section(_lines(head, details)), _actions(notice.n)]
    return notice.to, None, f"Ny fråga #{notice.n}", blocks


def _reminder(notice: _Notice, details: list[str]) -> Rendered:
    """To the superuser who claimed it and has not answered."""
    grace = _hours(notice.core.settings.escalation.reminder_grace)
    head = (
        f"*Påminnelse: ärende #{notice.n}* väntar på ditt svar. "
        f"Om {grace} går det till {notice.vendor}."
    )
    blocks = [_section(_lines(head, details)), _actions(notice.n)]
    return notice.to, None, f"Påminnelse #{notice.n}", blocks


def _triage(notice: _Notice, details: list[str]) -> Rendered:
    """To the triage channel: one line about what just happened, and the actions that fit."""
    esc, event = notice.status.escalation, notice.event
    state = STATE_NAMES.get(esc.state, esc.state)
    by = "" if event.actor == BOT else f" av <@{event.actor}>"
    what = ACTION_NAMES.get(event.action, event.action)
    line = (
        f"*#{notice.n}* ({escape(notice.area_name)}) {escape(what)}{by} · nu {state} · {notice.who}"
    )
    blocks = [_section(_lines(line, details))]
    if esc.state in (State.OPEN, State.CLAIMED):
        blocks.append(_actions(notice.n))
    taught = esc.answer or notice.status.question.solved_by_entry  # an answer, or a phrasing
    if esc.state == State.ANSWERED or (
        esc.state == State.CLOSED and taught and not esc.faq_location
    ):
        blocks.append(_buttons(notice.n, [(ADD_FAQ, "Lägg till i FAQ:n", None)]))
    return notice.to, None, f"#{notice.n} {event.action}", blocks


def _lines(head: str, details: list[str]) -> str:
    return head + "\n" + "\n".join(details)


def digest_blocks(
    title: str, sections: list[list[Any]], owners: list[list[str | None]]
) -> list[Block]:
    """The weekly digest within Slack's limits: 50 blocks, 3,000 characters a section."""
    blocks: list[Block] = [{"type": "header", "text": {"type": "plain_text", "text": title[:150]}}]
    people = [
        f"{escape(role or '')}: {f'<@{user}>' if user else NO_OWNER}" for role, user in owners
    ]
    for heading, lines in [*sections, (OWNERS_HEADING, people)]:
        body = lines if heading == OWNERS_HEADING else [escape(line) for line in lines]
        text = f"*{escape(heading)}*\n" + "\n".join(body)
        blocks += [_section(chunk) for chunk in split_sections(text)]
    if len(blocks) > 50:
        blocks = [*blocks[:49], _section("… (fler rader i `firstline digest --dry-run`)")]
    return blocks


def _actions(n: int) -> Block:
    return _buttons(
        n,
        [
            (CLAIM, "Ta den", "primary"),
            (ANSWER, "Svara", None),
            (ESCALATE, "Till leverantören", None),
            (REASSIGN, "Fel område", None),
        ],
    )


def _buttons(n: int, buttons: list[tuple[str, str, str | None]]) -> Block:
    elements = []
    for action_id, label, style in buttons:
        button: dict[str, Any] = {
            "type": "button",
            "action_id": action_id,
            "text": {"type": "plain_text", "text": label},
            "value": str(n),
        }
        if style:
            button["style"] = style
        elements.append(button)
    return {"type": "actions", "block_id": f"escalation-{n}", "elements": elements}


def _section(text: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text[:2990]}}


def _hours(duration: Any) -> str:
    minutes = int(duration.total_seconds() // 60)
    hours, rest = divmod(minutes, 60)
    return f"{hours} h {rest} min" if rest else f"{hours} h"


async def _permalink(client: AsyncWebClient, channel: str | None, ts: str | None) -> str | None:
    if not channel or not ts:
        return None
    try:
        response = await client.chat_getPermalink(channel=channel, message_ts=ts)
    except SlackApiError:
        return None
    return response.get("permalink")
