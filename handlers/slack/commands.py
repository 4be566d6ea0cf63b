"""The `/support` slash command. Replies are ephemeral: only the person who typed it sees them.

`/support <question>` is the same as `/support ask <question>`, since that is what people type.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond

from bot.app import Core
from bot.faq.text import detect_language
from bot.support.escalations import BOT, Refused, Status
from bot.support.questions import Origin, Outcome
from bot.texts import ACTION_NAMES, STATE_NAMES, t
from handlers.slack.answering import question_text
from handlers.slack.blocks import (
    answer_blocks,
    clarify_blocks,
    escalation_line,
    off_topic_blocks,
    refused_text,
    small_talk_blocks,
    suggestion_blocks,
    unresolved_blocks,
)
from handlers.slack.mrkdwn import escape, quote, shorten

HELP = {"help": "en", "hjälp": "sv", "hjalp": "sv"}
ASK = {"ask": "en", "fråga": "sv", "fraga": "sv"}
UNRESOLVED = {"unresolved": "en", "obesvarade": "sv"}
LEARNED = {"learned": "en", "inlärda": "sv", "inlarda": "sv"}
REMOVE = ("remove", "ta-bort", "bort")
MOST_LEARNED = 50
QUOTED = 120
LOCAL_TIME = ZoneInfo("Europe/Stockholm")
LISTED = 15


async def on_support(core: Core, command: dict[str, Any], respond: AsyncRespond) -> None:
    text = " ".join((command.get("text") or "").split())
    name, _, rest = text.partition(" ")
    name = name.lower()
    if name in HELP or not text:
        await respond(response_type="ephemeral", text=t(HELP.get(name, "sv"), "usage"))
    elif name in UNRESOLVED:
        await respond(response_type="ephemeral", text=await _unresolved(core, UNRESOLVED[name]))
    elif name in ("uptime", "drift"):
        await respond(response_type="ephemeral", text=await _uptime(core))
    elif name in LEARNED:
        text = await _learned(core, command["user_id"], LEARNED[name], rest)
        await respond(response_type="ephemeral", text=text)
    elif name in LADDER_COMMANDS:
        await respond(response_type="ephemeral", text=await _ladder(core, command, name, rest))
    elif name in ASK and not rest:
        await respond(response_type="ephemeral", text=t(ASK[name], "ask_usage"))
    elif name in ASK or " " in text or text.endswith("?"):
        question = question_text(rest if name in ASK else text)
        await _ask(core, command, question, respond)
    else:
        lang = detect_language(text)
        message = f"{t(lang, 'unknown_command', name=escape(name))}\n{t(lang, 'usage')}"
        await respond(response_type="ephemeral", text=message)


# name: (usage, needs a number, needs text after the number)
LADDER_COMMANDS = {
    "queue": ("`/support queue [område|mine|all]`", False, False),
    "owners": ("`/support owners`", False, False),
    "claim": ("`/support claim N`", True, False),
    "release": ("`/support release N`", True, False),
    "answer": ("`/support answer N svaret`", True, True),
    "escalate": ("`/support escalate N [varför]`", True, False),
    "reassign": ("`/support reassign N område`", True, True),
    "close": ("`/support close N [anteckning]`", True, False),
    "status": ("`/support status N`", True, False),
    "vendor-reply": ("`/support vendor-reply N svaret`", True, True),
    "faq": ("`/support faq N`", True, False),
}


async def _ladder(core: Core, command: dict[str, Any], name: str, rest: str) -> str:
    """The superusers' commands; every refusal or bad argument is a sentence, not a trace."""
    usage, numbered, needs_text = LADDER_COMMANDS[name]
    user = command["user_id"]
    if name == "queue":
        return await _queue(core, user, rest.strip().lower())
    if name == "owners":
        return _owners(core)
    number_text, _, text = rest.partition(" ")
    number_text = number_text.lstrip("#")
    if (numbered and not number_text.isdigit()) or (needs_text and not text.strip()):
        return f"Så här: {usage}"
    number, text = int(number_text), text.strip()
    ladder = core.ladder
    try:
        if name == "claim":
            await ladder.claim(number, user)
            result = f"Du har tagit #{number}."
        elif name == "release":
            await ladder.release(number, user)
            result = f"#{number} är tillbaka i kön."
        elif name == "answer":
            await ladder.answer(number, user, text)
            result = f"Svaret på #{number} är skickat till den som frågade."
        elif name == "escalate":
            await ladder.escalate(number, user, text)
            result = f"#{number} är skickat till {escape(core.settings.vendor.name)}."
        elif name == "reassign":
            esc = await ladder.reassign(number, user, text)
            result = f"#{number} ligger nu hos {escape(esc.area or '')}."
        elif name == "close":
            await ladder.close(number, user, text)
            result = f"#{number} är stängt."
        elif name == "vendor-reply":
            await ladder.vendor_reply(number, user, text)
            result = f"Leverantörens svar på #{number} är skickat till den som frågade."
        elif name == "faq":
            location = await core.add_to_faq(number, user)
            result = f"#{number} är tillagt i FAQ:n ({escape(location)})."
        else:
            return _status(await ladder.status(number))
    except Refused as exc:
        return refused_text(exc)
    core.kick()
    return result


async def _learned(core: Core, user: str, lang: str, rest: str) -> str:
    """`learned [N]` lists the newest learned phrasings in the user's areas; `learned remove ID`
    forgets one (the entry's superusers and the admins only)."""
    words = rest.lower().split()
    if words and words[0] in REMOVE:
        if len(words) != 2 or not words[1].isdigit():
            return t(lang, "learned_usage")
        try:
            learned = await core.unlearn(user, int(words[1]))
        except Refused as exc:
            return t(lang, exc.code, **{k: escape(v) for k, v in exc.values.items()})
        return t(
            lang, "learned_removed", id=str(learned.id), text=escape(shorten(learned.text, QUOTED))
        )
    if words and not (len(words) == 1 and words[0].isdigit()):
        return t(lang, "learned_usage")
    limit = min(int(words[0]), MOST_LEARNED) if words else LISTED
    rows = await core.learned_for(user, limit)
    if not rows:
        return t(lang, "learned_none")
    lines = [t(lang, "learned_header", count=str(len(rows)))]
    for row in rows:
        area = core.settings.area(row.area)
        lines.append(
            t(
                lang,
                "learned_line",
                id=str(row.id),
                text=escape(shorten(row.text, QUOTED)),
                entry=escape(shorten(row.entry_question, QUOTED)),
                area=escape(area.name if area else row.area),
                source=t(lang, f"learned_source_{row.source}"),
            )
        )
    lines.append(t(lang, "learned_hint"))
    return "\n".join(lines)


async def _queue(core: Core, user: str, which: str) -> str:
    if which in ("", "mine", "mina"):
        rows = await core.ladder.queue(user=user)
        title = "Dina ärenden"
    elif which in ("all", "alla"):
        rows = await core.ladder.queue()
        title = "Alla öppna ärenden"
    elif core.settings.area(which):
        rows = await core.ladder.queue(area=which)
        title = f"Öppna ärenden inom {escape(core.settings.area(which).name)}"  # type: ignore[union-attr]
    else:
        return f"Okänt område {escape(which)}. Områden: {', '.join(core.settings.area_keys)}."
    if not rows:
        return f"*{title}*: inga."
    now = core.ladder.clock()
    lines = [f"*{title}* ({len(rows)})"]
    lines += [escalation_line(e, q, now, core.settings.escalation.hours) for e, q in rows]
    return "\n".join(lines)


async def _uptime(core: Core) -> str:
    statuses = await core.uptime.status()
    if not statuses:
        return "Inga driftkontroller är konfigurerade ([[ops.checks]] i konfigurationen)."
    icons = {"up": ":large_green_circle:", "down": ":red_circle:", "unknown": ":white_circle:"}
    lines = ["*Drift* (andel lyckade kontroller: 24 h · 7 d · 30 d)"]
    for item in statuses:
        shares = " · ".join(
            "-" if share is None else f"{share:.1%}".replace(".", ",")
            for share in item.uptime.values()
        )
        line = f"{icons.get(item.status, '')} *{escape(item.check.name)}*: {shares}"
        if item.status == "down" and item.down_since:
            since = item.down_since.astimezone(LOCAL_TIME).strftime("%Y-%m-%d %H:%M")
            line += f"\n    nere sedan {since}: {escape(item.last_error or '')}"
        lines.append(line)
    owner = core.settings.ops.uptime_owner
    if owner:
        lines.append(f"Ansvarig för drift: <@{owner}>")
    return "\n".join(lines)


def _owners(core: Core) -> str:
    lines = ["*Superanvändare per område* (den första tar frågan, sedan ersättarna)"]
    for area in core.settings.areas:
        people = ", ".join(f"<@{u}>" for u in area.superusers) or "ingen utsedd"
        group = f" (<!subteam^{area.usergroup}>)" if area.usergroup else ""
        lines.append(f"• {escape(area.name)}: {people}{group}")
    vendor = core.settings.vendor
    if vendor.reachable:
        lines.append(f"• Därefter: {escape(vendor.name)}")
    return "\n".join(lines)


def _status(status: Status) -> str:
    esc, question = status.escalation, status.question
    who = esc.claimed_by or esc.assignee
    lines = [
        f"*#{esc.id}* {STATE_NAMES.get(esc.state, esc.state)}"
        + (f" · <@{who}>" if who else "")
        + f" · {escape(esc.area or '-')}",
        quote(question.text),
    ]
    if esc.answer:
        lines.append(f"Svar: {escape(esc.answer)}")
    for event in status.history:
        when = event.at.astimezone(LOCAL_TIME).strftime("%Y-%m-%d %H:%M")
        actor = "boten" if event.actor == BOT else f"<@{event.actor}>"
        detail = f": {escape(event.detail)}" if event.detail else ""
        what = ACTION_NAMES.get(event.action, event.action)
        lines.append(f"• {when} {escape(what)} av {actor}{detail}")
    return "\n".join(lines)


async def _ask(core: Core, command: dict[str, Any], question: str, respond: AsyncRespond) -> None:
    reply = await core.desk.ask(
        # "slack_command": answered privately, with no thread to follow up in, so not escalated
        question,
        Origin("slack_command", command["user_id"], channel=command.get("channel_id")),
    )
    if reply.question is None:  # small talk
        blocks = small_talk_blocks(reply, core.desk.examples(reply.language))
    elif reply.outcome is Outcome.ANSWERED:
        blocks = answer_blocks(reply, with_feedback=False)
    # privately, with no thread to follow up in: no "ask a superuser anyway"
    elif reply.outcome is Outcome.CLARIFY:
        blocks = clarify_blocks(reply, ask_anyway=False)
    elif reply.outcome is Outcome.OFF_TOPIC:
        blocks = off_topic_blocks(reply, core.settings, ask_anyway=False)
    else:
        blocks = unresolved_blocks(reply.language, question, None, core.settings)
        blocks += suggestion_blocks(reply.question.id, reply.suggestions, reply.language)
    await respond(response_type="ephemeral", text=escape(question), blocks=blocks)


async def _unresolved(core: Core, lang: str) -> str:
    questions = await core.desk.unresolved(limit=LISTED)
    if not questions:
        return t(lang, "unresolved_none")
    lines = [t(lang, "unresolved_header", count=str(len(questions)))]
    for q in questions:
        when = q.created_at.astimezone(LOCAL_TIME).strftime("%Y-%m-%d %H:%M")
        short = q.text if len(q.text) <= 120 else q.text[:119] + "…"
        where = f" <#{q.channel}>" if q.channel else ""
        lines.append(f"• #{q.id}  {when}  <@{q.asker}>{where}: {escape(short)}")
    return "\n".join(lines)


def register(app: AsyncApp, core: Core) -> None:
    @app.command("/support")
    async def support(ack: AsyncAck, command: dict[str, Any], respond: AsyncRespond) -> None:
        await ack()
        await on_support(core, command, respond)
