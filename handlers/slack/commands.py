"""The `/support` slash command. Replies are ephemeral: only the person who typed it sees them.

`/support <question>` is the same as `/support ask <question>`, since that is what people type.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond

from bot.app import Core
from bot.faq.text import detect_language
from bot.support.questions import Origin
from bot.texts import t
from handlers.slack.blocks import answer_blocks, unresolved_blocks
from handlers.slack.mrkdwn import escape

HELP = {"help": "en", "hjälp": "sv", "hjalp": "sv"}
ASK = {"ask": "en", "fråga": "sv", "fraga": "sv"}
UNRESOLVED = {"unresolved": "en", "obesvarade": "sv"}
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
    elif name in ASK and not rest:
        await respond(response_type="ephemeral", text=t(ASK[name], "ask_usage"))
    elif name in ASK or " " in text or text.endswith("?"):
        question = rest if name in ASK else text
        await _ask(core, command, question, respond)
    else:
        lang = detect_language(text)
        message = f"{t(lang, 'unknown_command', name=escape(name))}\n{t(lang, 'usage')}"
        await respond(response_type="ephemeral", text=message)


async def _ask(core: Core, command: dict[str, Any], question: str, respond: AsyncRespond) -> None:
    reply = await core.desk.ask(
        question, Origin("slack", command["user_id"], channel=command.get("channel_id"))
    )
    if reply.answered:
        blocks = answer_blocks(reply, with_feedback=False)
    else:
        blocks = unresolved_blocks(reply.language, question, None, core.settings)
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
