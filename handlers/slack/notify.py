"""The outbox's Slack route: render an escalation notification as Block Kit and post it.

Payloads come from the ladder ({"kind", "escalation", "event", "to"}); the message is rendered
from the database at sending time, so a retried delivery shows the current state.
"""

from __future__ import annotations

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


async def render(
    core: Core,
    client: AsyncWebClient,
    status: Status,
    event: EscalationEvent,
    payload: dict[str, Any],
) -> tuple[str, str | None, str, list[Block]]:
    """(channel, thread_ts, fallback text, blocks) for one notification."""
    esc, question = status.escalation, status.question
    kind, to = payload["kind"], payload["to"]
    n = esc.id
    area = core.settings.area(esc.area)
    area_name = area.name if area else "okänt område"
    who = (
        f"<@{esc.claimed_by or esc.assignee}>" if (esc.claimed_by or esc.assignee) else "supportkön"
    )
    vendor = escape(core.settings.vendor.name)
    if kind in ("progress", "closed"):
        lang = question.language
        action = "closed" if kind == "closed" else event.action
        template = PROGRESS[lang].get(action) or PROGRESS[lang]["opened"]
        text = template.format(n=n, who=who, area=escape(area_name), vendor=vendor)
        return question.channel or "", question.thread_ts, text, [_section(text)]
    if kind == "answer":
        lang = question.language
        texts = ESCALATION_TEXTS[lang]
        # the answer as it was given (a later "not solved" clears it from the escalation)
        intro = texts["answer_intro"].format(n=n, who=f"<@{event.actor}>")
        blocks = [
            _section(f"*{intro}*\n{to_mrkdwn(event.detail or esc.answer or '')}"),
            _buttons(
                n,
                [
                    (SOLVED, texts["solved_button"], "primary"),
                    (NOT_SOLVED, texts["not_solved_button"], None),
                ],
            ),
        ]
        return question.channel or "", question.thread_ts, intro, blocks
    if kind == "vendor":  # outside the company: no internal links, the asker by name
        asked = escape(question.asker_name or question.asker)
        details = [quote(question.text), f"Frågat av {asked}"]
    else:
        link = await _permalink(client, question.channel, question.message_ts)
        where = f" i <#{question.channel}>" if question.channel else ""
        details = [
            quote(question.text),
            f"Från <@{question.asker}>{where}" + (f" · <{link}|Öppna tråden>" if link else ""),
        ]
    if question.matched_question:
        details.append(f"Botens bästa gissning: _{escape(question.matched_question)}_")
    if esc.note:
        details.append(f"Anteckning: {escape(esc.note)}")
    if kind == "assigned":
        head = f"*Ny fråga till dig: #{n}* ({escape(area_name)})"
        deadline = _hours(core.settings.escalation.claim_within)
        details.append(f"Ta den inom {deadline} arbetstid, annars går den vidare.")
        return to, None, f"Ny fråga #{n}", [_section(head + "\n" + "\n".join(details)), _actions(n)]
    if kind == "reminder":
        grace = _hours(core.settings.escalation.reminder_grace)
        head = f"*Påminnelse: ärende #{n}* väntar på ditt svar. Om {grace} går det till {vendor}."
        return (
            to,
            None,
            f"Påminnelse #{n}",
            [_section(head + "\n" + "\n".join(details)), _actions(n)],
        )
    if kind == "vendor":
        head = f"*Supportärende #{n}* ({escape(area_name)})"
        if esc.vendor_reason:
            reason = ACTION_NAMES.get(esc.vendor_reason, esc.vendor_reason)
            details.append(f"Varför till er: {escape(reason)}")
        details.append("Svara i tråden här, så går svaret till den som frågade.")
        return to, None, f"Supportärende #{n}", [_section(head + "\n" + "\n".join(details))]
    # triage: one line about what just happened, and the same actions
    state = STATE_NAMES.get(esc.state, esc.state)
    by = "" if event.actor == BOT else f" av <@{event.actor}>"
    what = ACTION_NAMES.get(event.action, event.action)
    line = f"*#{n}* ({escape(area_name)}) {escape(what)}{by} · nu {state} · {who}"
    blocks = [_section(line + "\n" + "\n".join(details))]
    if esc.state in (State.OPEN, State.CLAIMED):
        blocks.append(_actions(n))
    if esc.state == State.ANSWERED or (
        esc.state == State.CLOSED and esc.answer and not esc.faq_location
    ):
        blocks.append(_buttons(n, [(ADD_FAQ, "Lägg till i FAQ:n", None)]))
    return to, None, f"#{n} {event.action}", blocks


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
