"""`firstline chat`: the bot in a terminal, on the same core as Slack.

Interactive, it shows a prompt and takes `/ja` (solved) and `/nej` (not what I needed) after an
answer; with piped input it answers each line and exits at the end of input.
"""

from __future__ import annotations

import re
from typing import TextIO

from bot.app import create_core
from bot.faq.matcher import Match
from bot.settings import Settings
from bot.support.questions import FeedbackResult, Reply
from bot.texts import t

_BOLD = re.compile(r"\*\*(.+?)\*\*|__(.+?)__")
_LINK = re.compile(r"\[([^\]]+)\]\(([^)]+)\)")

HELP = """Type a question in Swedish or English. After an answer:
  /ja  or /solved     it solved the problem
  /nej or /no         not what I needed
  /quit               leave (or Ctrl-D)"""

SOLVED_COMMANDS = {"/ja", "/solved", "/yes"}
NOT_HELPFUL_COMMANDS = {"/nej", "/no", "/notuseful"}


def plain(markdown: str) -> str:
    """Markdown made readable in a terminal."""
    text = _BOLD.sub(lambda m: m.group(1) or m.group(2), markdown)
    return _LINK.sub(r"\1 (\2)", text)


def render_match(match: Match, settings: Settings, language: str | None = None) -> str:
    from bot.faq.text import detect_language

    lang = language or detect_language(match.question)
    if not match.answered or match.entry is None:
        return t(lang, "unknown", area_part="") + f"  [confidence {match.confidence:.2f}]"
    entry = match.entry
    area = settings.area(entry.area)
    lines = [
        f"{t(lang, 'matched')}: {entry.question}",
        f"{t(lang, 'area')}: {area.name if area else entry.area}   "
        f"[confidence {match.confidence:.2f}, {entry.location}]",
        "",
        plain(entry.answer),
    ]
    if entry.why:
        lines += ["", f"{entry.why_title or t(lang, 'why')}:", plain(entry.why)]
    return "\n".join(lines)


def _reply_text(reply: Reply, settings: Settings) -> str:
    text = render_match(reply.match, settings, reply.language)
    if reply.answered:
        return text
    return "\n".join([t(reply.language, "unknown", area_part=""), t(reply.language, "no_contact")])


async def run_chat(settings: Settings, stdin: TextIO, stdout: TextIO, *, user: str) -> int:
    core = await create_core(settings)
    interactive = stdin.isatty()
    try:
        entries = len(core.knowledge.base.entries)
        if interactive:
            print(
                f"firstline chat: {entries} FAQ entries from {settings.knowledge_dir}", file=stdout
            )
            print(HELP, file=stdout)
        last: Reply | None = None
        while True:
            if interactive:
                stdout.write("\nyou> ")
                stdout.flush()
            line = stdin.readline()
            if not line:
                break
            text = line.strip()
            if not text:
                continue
            command = text.lower()
            if command in {"/quit", "/exit"}:
                break
            if command in {"/help", "/hjälp"}:
                print(HELP, file=stdout)
                continue
            if command in SOLVED_COMMANDS | NOT_HELPFUL_COMMANDS:
                print(await _feedback(core, last, user, command in SOLVED_COMMANDS), file=stdout)
                continue
            last = await core.desk.ask(text, source="chat", asker=user)
            prefix = "" if interactive else f"you> {text}\n"
            print(f"{prefix}bot> {_reply_text(last, settings)}", file=stdout)
            stdout.flush()
    finally:
        await core.close()
    return 0


async def _feedback(core, last: Reply | None, user: str, solved: bool) -> str:  # type: ignore[no-untyped-def]
    if last is None or not last.answered:
        return "bot> " + t("en", "unsupported")
    result = await core.desk.feedback(last.question.id, user, solved=solved)
    lang = last.language
    area = result.area.name if result.area else ""
    if result.result is FeedbackResult.SOLVED:
        return "bot> " + t(lang, "solved_ack", user=user)
    if result.result is FeedbackResult.NOT_HELPFUL:
        part = t(lang, "unknown_area_part", area=area) if area else ""
        return "bot> " + t(lang, "not_helpful_ack", area_part=part)
    state = t(
        lang,
        "state_solved"
        if result.question and result.question.status == "solved"
        else "state_unresolved",
    )
    return "bot> " + t(lang, "already", state=state)
