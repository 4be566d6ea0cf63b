"""The `/support` slash command. Replies are ephemeral: only the person who typed it sees them."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond

from bot.app import Core
from bot.faq.text import detect_language
from handlers.slack.blocks import answer_blocks, unresolved_blocks
from handlers.slack.mrkdwn import escape

USAGE = {
    "en": (
        "*/support* — ERP first-line support\n"
        "• `/support ask <question>`: answer from the FAQ, only to you\n"
        "• `/support help`: this help\n"
        "Or just post your question in the support channel, DM me, or @mention me."
    ),
    "sv": (
        "*/support* — första linjens support för affärssystemet\n"
        "• `/support ask <fråga>`: svar ur FAQ:n, bara till dig\n"
        "• `/support help`: den här hjälpen\n"
        "Eller skriv frågan i supportkanalen, skicka ett DM till mig eller @nämn mig."
    ),
}


async def on_support(core: Core, command: dict[str, Any], respond: AsyncRespond) -> None:
    text = (command.get("text") or "").strip()
    name, _, rest = text.partition(" ")
    name = name.lower()
    lang = detect_language(rest or text) if text else "en"
    if name in ("", "help", "hjälp", "hjalp"):
        await respond(response_type="ephemeral", text=USAGE[lang])
        return
    if name in ("ask", "fråga", "fraga"):
        if not rest.strip():
            await respond(response_type="ephemeral", text="Usage: `/support ask <question>`")
            return
        reply = await core.desk.ask(
            rest.strip(),
            source="slack",
            asker=command["user_id"],
            channel=command.get("channel_id"),
        )
        if reply.answered:
            blocks = answer_blocks(reply, with_feedback=False)
        else:
            blocks = unresolved_blocks(reply.language, rest.strip(), None)
        await respond(response_type="ephemeral", text=escape(rest.strip()), blocks=blocks)
        return
    await respond(
        response_type="ephemeral",
        text=f"Unknown command `{escape(name)}`.\n{USAGE[lang]}",
    )


def register(app: AsyncApp, core: Core) -> None:
    @app.command("/support")
    async def support(ack: AsyncAck, command: dict, respond: AsyncRespond) -> None:
        await ack()
        await on_support(core, command, respond)
