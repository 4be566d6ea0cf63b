"""The Slack adapter's outbox sender: each notice type has its renderer, and the result is
posted with chat.postMessage; the digest's chart is drawn and uploaded (files.uploadV2).

Escalation notices are rendered from the database at sending time, so a retried delivery shows
the current state. The posts about an escalation that are kept current (a superuser's DM, the
triage channel's post, the vendor's request, the answer in the asker's thread) are recorded
where Slack put them (the outbox's hook, `record_post`); when the core says the escalation
changed (a `CHANGED` notice, in the lane of those posts), each is rendered again as the
escalation is now and updated in place with chat.update.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError, SlackRequestError
from slack_sdk.web.async_client import AsyncWebClient

from bot.app import Core
from bot.ops.chart import ChartError, SupportChart, draw_apart
from bot.ops.digest import NO_OWNER, OWNERS_HEADING
from bot.settings import Settings
from bot.store.models import EscalationEvent
from bot.support.actions import Person, step_detail
from bot.support.escalations import BOT, Refused, State, Status, why_to_vendor
from bot.support.notices import (
    DigestChartNotice,
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
from bot.support.outbox import Delivery, PermanentFailure, Posted, Sender, Sent, TemporaryFailure
from bot.texts import ACTION_NAMES, ESCALATION_TEXTS, POSTS, PROGRESS, STATE_NAMES
from handlers.slack.blocks import Block
from handlers.slack.identity import SLACK_USER, mention, slack_id
from handlers.slack.mrkdwn import escape, quote, split_sections, to_mrkdwn

CLAIM, ANSWER, ESCALATE, REASSIGN = "esc_claim", "esc_answer", "esc_escalate", "esc_reassign"
SOLVED, NOT_SOLVED, ADD_FAQ = "esc_solved", "esc_not_solved", "esc_faq"
# Why a post about an escalation can't be updated any more: it is gone, or so is its channel.
CANT_UPDATE = {
    "message_not_found",
    "cant_update_message",
    "edit_window_closed",
    "channel_not_found",
    "not_in_channel",
    "is_archived",
}
PERMANENT_ERRORS = {
    "channel_not_found",
    "not_in_channel",
    "is_archived",
    "user_not_found",
    "invalid_blocks",
    "msg_too_long",
    "no_text",
    "missing_scope",  # the app must be reinstalled with the scope (files:write for the chart)
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
    Slack before (a failure midway, a crash) is looked for first, and not posted twice. A
    notice that an escalation changed updates the posts about it instead."""

    async def send(payload: dict[str, Any], delivery: Delivery) -> Sent:
        try:
            notice = notice_from_payload(payload)
        except (UnknownNotice, TypeError, ValueError) as exc:
            raise PermanentFailure(f"not a notice the Slack adapter can render: {exc}") from exc
        if isinstance(notice, EscalationNotice) and notice.step is EscalationStep.CHANGED:
            return await _update_posts(core, client, notice)
        if isinstance(notice, DigestChartNotice):
            return await _upload_chart(client, notice, delivery)
        channel, thread, text, blocks = await RENDERERS[type(notice)](core, client, notice)
        posted = (
            await _posted_before(client, channel, thread, delivery) if delivery.maybe_sent else None
        )
        # where it went: a reply's ts is kept on its question, a kept post's on the post
        return posted or await _post(client, channel, thread, text, blocks, delivery)

    return send


async def _post(
    client: AsyncWebClient,
    channel: str,
    thread: str | None,
    text: str,
    blocks: list[Block],
    delivery: Delivery,
) -> Posted:
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
        raise _failure(exc) from exc
    # a message to a person lands in their direct conversation, which Slack names here
    return Posted(str(response.get("channel") or channel), str(response.get("ts")))


def _failure(exc: SlackApiError) -> PermanentFailure | TemporaryFailure:
    """What Slack's error means for the outbox: give up, or try again (after its Retry-After)."""
    error = exc.response.get("error", "")
    if error in PERMANENT_ERRORS:
        return PermanentFailure(error)
    retry = exc.response.headers.get("Retry-After") if exc.response.headers else None
    return TemporaryFailure(error, float(retry) if retry else None)


async def _upload_chart(
    client: AsyncWebClient, notice: DigestChartNotice, delivery: Delivery
) -> str:
    """Draw the digest's chart and share it in the channel (files.getUploadURLExternal, the
    upload, files.completeUploadExternal); the file's id. A delivery that may have reached
    Slack before is looked for first: the chart's file name is unique to its weeks."""
    chart = SupportChart.from_dict(notice.chart)
    if delivery.maybe_sent and (found := await _uploaded_before(client, notice.to, chart)):
        return found
    try:
        png = await draw_apart(chart)
    except ChartError as exc:
        raise PermanentFailure(f"the digest's chart can't be drawn: {exc}") from exc
    try:
        response = await client.files_upload_v2(
            channel=notice.to,
            file=png,
            filename=chart.filename,
            title=chart.title,
            alt_txt=chart.description,
            initial_comment=f"{TONES[Tone.CHART]} {escape(chart.title)}",
        )
    except SlackApiError as exc:
        raise _failure(exc) from exc
    except SlackRequestError as exc:  # the upload itself failed
        raise TemporaryFailure(str(exc)) from exc
    return str((response.get("file") or {}).get("id"))


async def _uploaded_before(client: AsyncWebClient, channel: str, chart: SupportChart) -> str | None:
    """The id of the chart's file if Slack shows it in the channel already."""
    try:
        response = await client.conversations_history(channel=channel, limit=LOOK_BACK)
    except (SlackApiError, aiohttp.ClientError, TimeoutError) as exc:
        log.info("could not look for an earlier chart (%s); uploading", exc)
        return None
    for message in response.get("messages") or []:
        for file in message.get("files") or []:
            if file.get("name") == chart.filename:
                log.info("the chart %s is in Slack already (%s)", chart.filename, file.get("id"))
                return str(file.get("id"))
    return None


async def _posted_before(
    client: AsyncWebClient, channel: str, thread: str | None, delivery: Delivery
) -> Posted | None:
    """Where this delivery's message is if Slack has it already (found by its metadata among
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
            return Posted(channel, str(message.get("ts")))
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
    """One notification about an escalation, with what every rendering of it needs: the
    escalation as it is now, the step the notice is about, whom it is for, and the post it
    makes or updates (None: a message that is not kept current)."""

    core: Core
    status: Status
    event: EscalationEvent
    to: str
    post: int | None = None

    @property
    def n(self) -> int:
        return self.status.escalation.id

    @property
    def area_name(self) -> str:
        area = self.core.settings.area(self.status.escalation.area)
        return area.name if area else POSTS["unknown_area"]

    @property
    def who(self) -> str:
        esc = self.status.escalation
        holder = esc.claimed_by or esc.assignee
        return self.mention(holder) if holder else POSTS["support_queue"]

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

    @property
    def may_act(self) -> bool:
        """Whether whom the post is for may act on the ticket: the triage channel (each press
        is checked), or a person allowed to."""
        if self.to == self.core.settings.escalation.triage_channel:
            return True
        try:
            self.core.ladder.check_allowed(self.to, self.status.escalation)
        except Refused:
            return False
        return True


async def render(
    core: Core,
    client: AsyncWebClient,
    status: Status,
    event: EscalationEvent,
    escalation_notice: EscalationNotice,
) -> Rendered:
    """(channel, thread_ts, fallback text, blocks) for one notice about an escalation, as the
    escalation is now: a post that is kept current shows where the ticket is and only the
    buttons that still make sense."""
    notice = _Rendering(core, status, event, escalation_notice.to, escalation_notice.post)
    step = escalation_notice.step
    if step in (EscalationStep.PROGRESS, EscalationStep.CLOSED):
        return _progress(notice, step)
    if step is EscalationStep.ANSWER:
        return _answer(notice)
    if step is EscalationStep.VENDOR:
        return _to_vendor(notice)
    if step is EscalationStep.TRIAGE and notice.post is None:
        return await _triage_line(notice)
    details = await _internal_details(notice, client)
    return INTERNAL[step](notice, details)


async def _update_posts(core: Core, client: AsyncWebClient, notice: EscalationNotice) -> str:
    """The escalation changed: every post about it that went to `notice.to` is rendered as the
    escalation is now and updated in place. A post Slack no longer has (deleted, its channel
    archived) is skipped; a rate limit or an outage retries the whole notice (updating a post
    twice changes nothing)."""
    posts = await core.ladder.posts(notice.escalation, notice.to)
    if not posts:
        return "no posts"
    status = await core.ladder.status(notice.escalation)
    updated = 0
    for post in posts:
        event = next((e for e in status.history if e.id == post.event_id), status.history[-1])
        kept = EscalationNotice(
            EscalationStep(post.kind), post.escalation_id, post.event_id, post.recipient, post.id
        )
        _, _, text, blocks = await render(core, client, status, event, kept)
        try:
            await client.chat_update(channel=post.channel, ts=post.ts, text=text, blocks=blocks)
        except SlackApiError as exc:
            error = exc.response.get("error", "")
            if error in CANT_UPDATE:
                log.warning(
                    "escalation #%d: the post %s in %s can't be updated (%s); left as it is",
                    post.escalation_id,
                    post.ts,
                    post.channel,
                    error,
                )
                continue
            retry = exc.response.headers.get("Retry-After") if exc.response.headers else None
            raise TemporaryFailure(error, float(retry) if retry else None) from exc
        updated += 1
    return f"{updated} updated"


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


ANSWERS = ("answered", "vendor_replied")
# What settled an answer, by the first step after it, as the asker reads it under the answer.
SETTLED = {
    "confirmed": "confirmed",
    "not_solved": "sent_on",
    "to_vendor": "sent_on",
    "closed": "closed",
    "solved_by_suggestion": "solved_by_suggestion",
}


def _answer(notice: _Rendering) -> Rendered:
    """To the asker, in their thread: the answer, with "solved" and "not solved" while it waits
    for them; once settled (or closed), what happened instead of the buttons."""
    esc, question, event = notice.status.escalation, notice.status.question, notice.event
    texts = ESCALATION_TEXTS[question.language]
    # the answer as it was given (a later "not solved" clears it from the escalation)
    intro = texts["answer_intro"].format(n=notice.n, who=notice.mention(event.actor))
    blocks = [_section(f"*{intro}*\n{to_mrkdwn(event.detail or esc.answer or '')}")]
    history = notice.status.history
    latest = max((e.id for e in history if e.action in ANSWERS), default=event.id)
    if esc.state == State.ANSWERED and event.id == latest:
        solved = (SOLVED, texts["solved_button"], "primary")
        blocks.append(_buttons(notice.n, [solved, (NOT_SOLVED, texts["not_solved_button"], None)]))
    else:
        settled = next((e.action for e in history if e.id > event.id and e.action in SETTLED), None)
        key = SETTLED.get(settled or "", "closed")
        words = texts.get(key) or PROGRESS[question.language][key]
        blocks.append(_context(words.format(n=notice.n)))
    return question.channel or "", question.thread_ts, intro, blocks


def _to_vendor(notice: _Rendering) -> Rendered:
    """To the vendor's channel, outside the company: no internal links, the asker by name; once
    it is no longer with them, what became of it."""
    esc, question = notice.status.escalation, notice.status.question
    asked = escape(question.asker_name or notice.core.settings.name_of(question.asker))
    details = [quote(question.text), POSTS["vendor_asked_by"].format(who=asked), *_known(notice)]
    head = f"*{POSTS['vendor_head'].format(n=notice.n)}* ({escape(notice.area_name)})"
    if why := why_to_vendor(esc):
        details.append(POSTS["vendor_why"].format(why=escape(why)))
    if esc.state == State.VENDOR:
        details.append(POSTS["vendor_reply_here"])
    elif esc.state == State.ANSWERED:
        details.append(POSTS["vendor_answered"])
    elif esc.state == State.CLOSED:
        details.append(POSTS["vendor_closed"])
    else:
        details.append(POSTS["vendor_back"])
    text = POSTS["vendor_head"].format(n=notice.n)
    return notice.to, None, text, [_section(_lines(head, details))]


async def _internal_details(notice: _Rendering, client: AsyncWebClient) -> list[str]:
    """The question, who asked where (with a link to the thread), what we know of it, and the
    answer once there is one."""
    esc, question = notice.status.escalation, notice.status.question
    link = await _permalink(client, question.channel, question.message_ts)
    where = POSTS["where"].format(channel=f"<#{question.channel}>") if question.channel else ""
    details = [
        quote(question.text),
        POSTS["from"].format(who=notice.mention(question.asker))
        + where
        + (f" · <{link}|{POSTS['thread_link']}>" if link else ""),
        *_known(notice),
    ]
    if esc.answer and esc.answered_by:
        details.append(POSTS["answer_from"].format(who=notice.mention(esc.answered_by)))
        details.append(quote(esc.answer))
    return details


def _known(notice: _Rendering) -> list[str]:
    esc, question = notice.status.escalation, notice.status.question
    known = []
    if question.matched_question:
        entry = f"_{escape(question.matched_question)}_"
        known.append(POSTS["best_guess"].format(entry=entry))
    if esc.note:
        known.append(POSTS["note"].format(note=escape(esc.note)))
    return known


def _where_now(notice: _Rendering) -> str:
    """Where the ticket is now, in a few words."""
    esc = notice.status.escalation
    if esc.state == State.OPEN:
        return POSTS["waiting"].format(who=notice.who) if esc.assignee else POSTS["queue"]
    if esc.state == State.CLAIMED:
        return POSTS["claimed"].format(who=notice.who)
    if esc.state == State.VENDOR:
        return POSTS["vendor"].format(vendor=notice.vendor)
    if esc.state == State.ANSWERED:
        return POSTS["answered"].format(who=notice.mention(esc.answered_by or BOT))
    return POSTS["closed"]


def _status_head(notice: _Rendering) -> str:
    return f"*#{notice.n}* ({escape(notice.area_name)}) · {_where_now(notice)}"


def _status_text(notice: _Rendering) -> str:
    state = notice.status.escalation.state
    return f"#{notice.n} ({notice.area_name}) {STATE_NAMES.get(state, state)}"


def _assigned(notice: _Rendering, details: list[str]) -> Rendered:
    """To the superuser whose turn it is, with the actions; once it has moved on, where it is."""
    esc = notice.status.escalation
    if esc.state == State.OPEN and esc.assignee == notice.to:
        head = f"*{POSTS['new'].format(n=notice.n)}* ({escape(notice.area_name)})"
        within = _hours(notice.core.settings.escalation.claim_within)
        details = [*details, POSTS["claim_within"].format(within=within)]
        text = POSTS["new_text"].format(n=notice.n)
    else:
        head, text = _status_head(notice), _status_text(notice)
    blocks = [_section(_lines(head, details)), *_ticket_buttons(notice)]
    return notice.direct, None, text, blocks


def _reminder(notice: _Rendering, details: list[str]) -> Rendered:
    """To the superuser who claimed it and has not answered; once answered, where it is."""
    esc = notice.status.escalation
    if esc.state == State.CLAIMED and esc.claimed_by == notice.to:
        grace = _hours(notice.core.settings.escalation.reminder_grace)
        then = POSTS["reminder_then"].format(grace=grace, vendor=notice.vendor)
        head = f"*{POSTS['reminder'].format(n=notice.n)}* {then}"
        text = POSTS["reminder_text"].format(n=notice.n)
    else:
        head, text = _status_head(notice), _status_text(notice)
    blocks = [_section(_lines(head, details)), *_ticket_buttons(notice)]
    return notice.direct, None, text, blocks


def _triage(notice: _Rendering, details: list[str]) -> Rendered:
    """The triage channel's post about the escalation: where it is now, what we know, and
    the buttons that fit; each step is a line in its thread."""
    blocks = [_section(_lines(_status_head(notice), details)), *_ticket_buttons(notice)]
    return notice.to, None, _status_text(notice), blocks


async def _triage_line(notice: _Rendering) -> Rendered:
    """A step, as a line in the thread of the triage channel's post about the escalation (on
    its own when that post is not there)."""
    event = notice.event
    what = ACTION_NAMES.get(event.action, event.action)
    by = "" if event.actor == BOT else POSTS["by"].format(who=notice.mention(event.actor))
    line = f"*#{notice.n}* {escape(what)}{by}"
    detail = step_detail(notice.core, event)
    if isinstance(detail, Person):
        line += f": {notice.mention(detail.id)}"
    elif detail and event.action in ANSWERS:
        line += "\n" + quote(detail)
    elif detail:
        line += f": {escape(str(detail))}"
    cards = await notice.core.ladder.posts(notice.n, notice.to)
    card = next((p for p in cards if p.kind == EscalationStep.TRIAGE), None)
    channel, thread = (card.channel or notice.to, card.ts) if card else (notice.to, None)
    return channel, thread, f"#{notice.n} {what}", [_section(line)]


INTERNAL: dict[EscalationStep, Callable[[_Rendering, list[str]], Rendered]] = {
    EscalationStep.ASSIGNED: _assigned,
    EscalationStep.REMINDER: _reminder,
    EscalationStep.TRIAGE: _triage,
}


def _ticket_buttons(notice: _Rendering) -> list[Block]:
    """The actions that make sense for the ticket now, for whom the post is for: to take it
    while it is open; to answer it, or send it on, while it is active; to add what it taught
    to the FAQ once answered. None for someone who may not act on it."""
    esc, question = notice.status.escalation, notice.status.question
    if not notice.may_act:
        return []
    vendor = (
        [(ESCALATE, POSTS["escalate_button"], None)]
        if notice.core.settings.vendor.reachable
        else []
    )
    answer = (ANSWER, POSTS["answer_button"], None)
    reassign = (REASSIGN, POSTS["reassign_button"], None)
    if esc.state == State.OPEN:
        buttons = [(CLAIM, POSTS["claim_button"], "primary"), answer, *vendor, reassign]
    elif esc.state == State.CLAIMED:
        buttons = [answer, *vendor, reassign]
    elif esc.state == State.VENDOR:
        buttons = [answer]
    else:
        taught = esc.answer or question.solved_by_entry  # an answer, or a phrasing
        buttons = [(ADD_FAQ, POSTS["faq_button"], None)] if taught and not esc.faq_location else []
    return [_buttons(notice.n, buttons)] if buttons else []


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


def _context(text: str) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text[:2990]}]}


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
