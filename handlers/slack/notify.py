"""The Slack adapter's outbox sender: each notice type has its renderer, and the result is
posted with chat.postMessage.

Escalation notices are rendered from the database at sending time, so a retried delivery shows
the current state.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.app import Core
from bot.ops.digest import NO_OWNER, OWNERS_HEADING
from bot.settings import Settings
from bot.store.models import EscalationEvent
from bot.support.escalations import BOT, State, Status, why_to_vendor
from bot.support.notices import (
    DigestNotice,
    EscalationNotice,
    EscalationStep,
    Notice,
    OpsNotice,
    ReplyNotice,
    Tone,
    UnknownNotice,
    UptimeChange,
    UptimeNotice,
    notice_from_payload,
)
from bot.support.outbox import Delivery, PermanentFailure, Sender, TemporaryFailure
from bot.texts import ACTION_NAMES, ESCALATION_TEXTS, PROGRESS, STATE_NAMES
from handlers.slack.blocks import Block
from handlers.slack.identity import SLACK_USER, mention, slack_id
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
TONES = {Tone.CALENDAR: ":calendar:", Tone.CHART: ":bar_chart:", Tone.WARNING: ":warning:"}
UPTIME_ICONS = {
    UptimeChange.DOWN: ":red_circle:",
    UptimeChange.STILL_DOWN: ":red_circle:",
    UptimeChange.RECOVERED: ":large_green_circle:",
}

Rendered = tuple[str, str | None, str, list[Block]]
METADATA_TYPE = "firstline_outbox"  # a post's metadata: which outbox message it is
LOOK_BACK = 100  # how many of the latest messages a retry looks through for its earlier post
log = logging.getLogger(__name__)


def slack_sender(core: Core, client: AsyncWebClient) -> Sender:
    """Posts each notice with the outbox id in its metadata; a delivery that may have reached
    Slack before (a failure midway, a crash) is looked for first, and not posted twice."""

    async def send(payload: dict[str, Any], delivery: Delivery) -> str:
        try:
            notice = notice_from_payload(payload)
        except (UnknownNotice, TypeError, ValueError) as exc:
            raise PermanentFailure(f"not a notice the Slack adapter can render: {exc}") from exc
        channel, thread, text, blocks = await RENDERERS[type(notice)](core, client, notice)
        ts = (
            await _posted_before(client, channel, thread, delivery) if delivery.maybe_sent else None
        )
        if ts is None:
            ts = await _post(client, channel, thread, text, blocks, delivery)
        return ts  # a reply's ts is recorded on its question by the outbox (`record_reply`)

    return send


async def _post(
    client: AsyncWebClient,
    channel: str,
    thread: str | None,
    text: str,
    blocks: list[Block],
    delivery: Delivery,
) -> str:
    try:
        response = await client.chat_postMessage(
            channel=channel,
            thread_ts=thread,
            text=text,
            blocks=blocks,
            unfurl_links=False,
            unfurl_media=False,
            metadata={"event_type": METADATA_TYPE, "event_payload": {"outbox_id": delivery.id}},
        )
    except SlackApiError as exc:
        error = exc.response.get("error", "")
        if error in PERMANENT_ERRORS:
            raise PermanentFailure(error) from exc
        retry = exc.response.headers.get("Retry-After") if exc.response.headers else None
        raise TemporaryFailure(error, float(retry) if retry else None) from exc
    return str(response.get("ts"))


async def _posted_before(
    client: AsyncWebClient, channel: str, thread: str | None, delivery: Delivery
) -> str | None:
    """The ts of this delivery's message if Slack has it already (found by its metadata among
    the latest in the thread or channel); None when it isn't there or Slack won't say."""
    try:
        if SLACK_USER.match(channel):  # a DM is posted to the person; read in their DM channel
            opened = await client.conversations_open(users=channel)
            channel = str((opened.get("channel") or {}).get("id") or channel)
        if thread:
            response = await client.conversations_replies(
                channel=channel, ts=thread, include_all_metadata=True, limit=LOOK_BACK
            )
        else:
            response = await client.conversations_history(
                channel=channel, include_all_metadata=True, limit=LOOK_BACK
            )
    except (SlackApiError, aiohttp.ClientError, TimeoutError) as exc:
        log.info("outbox %d: could not look for an earlier post (%s); posting", delivery.id, exc)
        return None
    for message in response.get("messages") or []:
        metadata = message.get("metadata") or {}
        if (
            metadata.get("event_type") == METADATA_TYPE
            and (metadata.get("event_payload") or {}).get("outbox_id") == delivery.id
        ):
            log.info("outbox %d: Slack has it already (ts %s)", delivery.id, message.get("ts"))
            return str(message.get("ts"))
    return None


async def _reply(core: Core, client: AsyncWebClient, notice: ReplyNotice) -> Rendered:
    """A bot reply whose first attempt failed, as it was rendered then."""
    message = notice.message
    return message["channel"], message["thread_ts"], message["text"], message["blocks"]


async def _digest(core: Core, client: AsyncWebClient, notice: DigestNotice) -> Rendered:
    blocks = digest_blocks(core.settings, notice.title, notice.sections, notice.owners)
    return notice.to, None, escape(notice.title), blocks


async def _ops(core: Core, client: AsyncWebClient, notice: OpsNotice) -> Rendered:
    who = mention(core.settings, notice.owner) if notice.owner else ""
    owner = f"\nAnsvarig för {notice.owner_role}: {who}" if notice.owner else ""
    text = f"{TONES[notice.tone]} {escape(notice.text)}{owner}"
    return notice.to, None, escape(notice.text), [_section(text)]


async def _uptime(core: Core, client: AsyncWebClient, notice: UptimeNotice) -> Rendered:
    who = mention(core.settings, notice.owner) if notice.owner else ""
    owner = f"\nAnsvarig för drift: {who}" if notice.owner else ""
    text = f"{UPTIME_ICONS[notice.change]} *{escape(notice.text)}*{owner}"
    return notice.to, None, escape(notice.text), [_section(text)]


async def _escalation(core: Core, client: AsyncWebClient, notice: EscalationNotice) -> Rendered:
    status = await core.ladder.status(notice.escalation)
    event = next((e for e in status.history if e.id == notice.event), status.history[-1])
    return await render(core, client, status, event, notice)


RENDERERS: dict[type[Notice], Callable[[Core, AsyncWebClient, Any], Awaitable[Rendered]]] = {
    ReplyNotice: _reply,
    DigestNotice: _digest,
    OpsNotice: _ops,
    UptimeNotice: _uptime,
    EscalationNotice: _escalation,
}


@dataclass(frozen=True)
class _Rendering:
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
        return self.mention(holder) if holder else "supportkön"

    def mention(self, person: str) -> str:
        return mention(self.core.settings, person)

    @property
    def direct(self) -> str:
        """The Slack id of the person the notice is for (a DM)."""
        native = slack_id(self.core.settings, self.to)
        if native is None:
            raise PermanentFailure(f"{self.to} has no Slack id ([people.{self.to}] slack = ...)")
        return native

    @property
    def vendor(self) -> str:
        return escape(self.core.settings.vendor.name)


async def render(
    core: Core,
    client: AsyncWebClient,
    status: Status,
    event: EscalationEvent,
    escalation_notice: EscalationNotice,
) -> Rendered:
    """(channel, thread_ts, fallback text, blocks) for one notice about an escalation."""
    notice = _Rendering(core, status, event, escalation_notice.to)
    step = escalation_notice.step
    if step in (EscalationStep.PROGRESS, EscalationStep.CLOSED):
        return _progress(notice, step)
    if step is EscalationStep.ANSWER:
        return _answer(notice)
    if step is EscalationStep.VENDOR:
        return _to_vendor(notice)
    details = await _internal_details(notice, client)
    return INTERNAL[step](notice, details)


def _progress(notice: _Rendering, step: EscalationStep) -> Rendered:
    """To the asker, in their thread: where their question is now."""
    question, event = notice.status.question, notice.event
    templates = PROGRESS[question.language]
    closed = step is EscalationStep.CLOSED
    action = "closed" if closed and event.action not in templates else event.action
    text = (templates.get(action) or templates["opened"]).format(
        n=notice.n, who=notice.who, area=escape(notice.area_name), vendor=notice.vendor
    )
    return question.channel or "", question.thread_ts, text, [_section(text)]


def _answer(notice: _Rendering) -> Rendered:
    """To the asker, in their thread: the answer, with "solved" and "not solved"."""
    esc, question, event = notice.status.escalation, notice.status.question, notice.event
    texts = ESCALATION_TEXTS[question.language]
    # the answer as it was given (a later "not solved" clears it from the escalation)
    intro = texts["answer_intro"].format(n=notice.n, who=notice.mention(event.actor))
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


def _to_vendor(notice: _Rendering) -> Rendered:
    """To the vendor's channel, outside the company: no internal links, the asker by name."""
    esc, question = notice.status.escalation, notice.status.question
    asked = escape(question.asker_name or notice.core.settings.name_of(question.asker))
    details = [quote(question.text), f"Frågat av {asked}", *_known(notice)]
    head = f"*Supportärende #{notice.n}* ({escape(notice.area_name)})"
    if why := why_to_vendor(esc):
        details.append(f"Varför till er: {escape(why)}")
    details.append("Svara i tråden här, så går svaret till den som frågade.")
    return notice.to, None, f"Supportärende #{notice.n}", [_section(_lines(head, details))]


async def _internal_details(notice: _Rendering, client: AsyncWebClient) -> list[str]:
    """The question, who asked where (with a link to the thread), and what we know of it."""
    question = notice.status.question
    link = await _permalink(client, question.channel, question.message_ts)
    where = f" i <#{question.channel}>" if question.channel else ""
    return [
        quote(question.text),
        f"Från {notice.mention(question.asker)}{where}"
        + (f" · <{link}|Öppna tråden>" if link else ""),
        *_known(notice),
    ]


def _known(notice: _Rendering) -> list[str]:
    esc, question = notice.status.escalation, notice.status.question
    known = []
    if question.matched_question:
        known.append(f"Botens bästa gissning: _{escape(question.matched_question)}_")
    if esc.note:
        known.append(f"Anteckning: {escape(esc.note)}")
    return known


def _assigned(notice: _Rendering, details: list[str]) -> Rendered:
    """To the superuser whose turn it is, with the actions."""
    head = f"*Ny fråga till dig: #{notice.n}* ({escape(notice.area_name)})"
    deadline = _hours(notice.core.settings.escalation.claim_within)
    details = [*details, f"Ta den inom {deadline} arbetstid, annars går den vidare."]
    blocks = [_section(_lines(head, details)), _actions(notice.n)]
    return notice.direct, None, f"Ny fråga #{notice.n}", blocks


def _reminder(notice: _Rendering, details: list[str]) -> Rendered:
    """To the superuser who claimed it and has not answered."""
    grace = _hours(notice.core.settings.escalation.reminder_grace)
    head = (
        f"*Påminnelse: ärende #{notice.n}* väntar på ditt svar. "
        f"Om {grace} går det till {notice.vendor}."
    )
    blocks = [_section(_lines(head, details)), _actions(notice.n)]
    return notice.direct, None, f"Påminnelse #{notice.n}", blocks


def _triage(notice: _Rendering, details: list[str]) -> Rendered:
    """To the triage channel: one line about what just happened, and the actions that fit."""
    esc, event = notice.status.escalation, notice.event
    state = STATE_NAMES.get(esc.state, esc.state)
    by = "" if event.actor == BOT else f" av {notice.mention(event.actor)}"
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
    return notice.to, None, f"#{notice.n} {what}", blocks


INTERNAL: dict[EscalationStep, Callable[[_Rendering, list[str]], Rendered]] = {
    EscalationStep.ASSIGNED: _assigned,
    EscalationStep.REMINDER: _reminder,
    EscalationStep.TRIAGE: _triage,
}


def _lines(head: str, details: list[str]) -> str:
    return head + "\n" + "\n".join(details)


def digest_blocks(
    settings: Settings, title: str, sections: list[list[Any]], owners: list[list[str | None]]
) -> list[Block]:
    """The weekly digest within Slack's limits: 50 blocks, 3,000 characters a section."""
    blocks: list[Block] = [{"type": "header", "text": {"type": "plain_text", "text": title[:150]}}]
    people = [
        f"{escape(role or '')}: {mention(settings, user) if user else NO_OWNER}"
        for role, user in owners
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
