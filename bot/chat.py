"""`firstline chat`: the bot in a terminal, on the same core as Slack.

Interactive, it shows a prompt and takes `/ja` (solved) and `/nej` (not what I needed) after an
answer, and a suggestion's number after "similar questions in the FAQ"; with piped input it
answers each line and exits at the end of input.
"""

from __future__ import annotations

from typing import TextIO

from bot.app import Core, create_core
from bot.faq.markdown import plain
from bot.faq.matcher import Match
from bot.faq.model import Entry
from bot.faq.text import detect_language
from bot.settings import Settings
from bot.support.questions import FeedbackResult, Origin, Reply
from bot.texts import help_now, t

HELP = """Type a question in Swedish or English. After an answer:
  /ja  or /solved     it solved the problem
  /nej or /no         not what I needed
When I suggest FAQ answers instead, type a suggestion's number to read it (then /ja if it
solved the problem).
  /quit               leave (or Ctrl-D)"""

SOLVED_COMMANDS = {"/ja", "/solved", "/yes"}
NOT_HELPFUL_COMMANDS = {"/nej", "/no", "/notuseful"}


def render_answer(match: Match, settings: Settings, lang: str) -> str:
    """An answered question as terminal text: where it came from, the answer, the why."""
    assert match.entry is not None
    return render_entry(match.entry, settings, lang, f"confidence {match.confidence:.2f}, ")


def render_entry(entry: Entry, settings: Settings, lang: str, detail: str = "") -> str:
    """One FAQ entry as terminal text."""
    area = settings.area(entry.area)
    lines = [
        f"{t(lang, 'matched')}: {entry.question}",
        f"{t(lang, 'area')}: {area.name if area else entry.area}   [{detail}{entry.location}]",
        "",
        plain(entry.answer),
    ]
    if entry.owner:
        lines[1] += f"   {t(lang, 'owner')}: {entry.owner}"
    if entry.why:
        title = entry.why_title or t(lang, "why")
        lines += ["", title if title[-1] in "?:." else f"{title}:", plain(entry.why)]
    return "\n".join(lines)


def render_match(match: Match, settings: Settings) -> str:
    """`firstline ask`'s readable output (nothing is recorded there)."""
    lang = detect_language(match.question)
    if match.answered:
        return render_answer(match, settings, lang)
    guess = match.entry.question if match.entry else "-"
    return t(lang, "no_answer", guess=guess, confidence=f"{match.confidence:.2f}")


def render_reply(reply: Reply, settings: Settings) -> str:
    lang = reply.language
    if reply.answered:
        return render_answer(reply.match, settings, lang)
    contact, _ = settings.help_route(None)
    text = f"{t(lang, 'unknown', area_part='')}\n{help_now(lang, contact, None)}"
    if reply.suggestions:
        listed = "".join(f"\n  {n}. {e.question}" for n, e in enumerate(reply.suggestions, 1))
        text += f"\n\n{t(lang, 'suggestions_intro')}{listed}\n{t(lang, 'suggestions_pick')}"
    return text


async def run_chat(settings: Settings, stdin: TextIO, stdout: TextIO, *, user: str) -> int:
    core = await create_core(settings)
    interactive = stdin.isatty()

    def say(text: str) -> None:
        print(text, file=stdout, flush=True)

    try:
        if interactive:
            entries = len(core.knowledge.base.entries)
            say(f"firstline chat: {entries} FAQ entries from {settings.knowledge_dir}\n{HELP}")
        last: Reply | None = None
        picked: Entry | None = None  # the suggestion last read, for /ja
        while True:
            if interactive:
                stdout.write("\nyou> ")
                stdout.flush()
            line = stdin.readline()
            if not line:
                break
            text = line.strip()
            command = text.lower()
            if not text:
                continue
            if command in {"/quit", "/exit"}:
                break
            if command in {"/help", "/hjälp"}:
                say(HELP)
            elif command in SOLVED_COMMANDS | NOT_HELPFUL_COMMANDS:
                solved = command in SOLVED_COMMANDS
                say("bot> " + await _feedback(core, last, picked, user, solved))
            elif last is not None and last.suggestions and text.isdecimal():
                lang = last.language
                number = int(text)
                if 1 <= number <= len(last.suggestions):
                    picked = last.suggestions[number - 1]
                    read = t(lang, "suggestion_read")
                    say(f"bot> {render_entry(picked, settings, lang)}\n\n{read}")
                else:
                    say("bot> " + t(lang, "nothing_suggested"))
            else:
                picked = None
                last = await core.desk.ask(text, Origin("chat", user))
                echo = "" if interactive else f"you> {text}\n"
                say(f"{echo}bot> {render_reply(last, settings)}")
    finally:
        await core.close()
    return 0


async def _feedback(
    core: Core, last: Reply | None, picked: Entry | None, user: str, solved: bool
) -> str:
    if last is None:
        return t("sv", "nothing_to_mark")
    if not last.answered and picked is not None and solved:
        verdict, _ = await core.ladder.solved_by_suggestion(last.question.id, user, picked.question)
        if verdict.result is FeedbackResult.SOLVED:
            return t(last.language, "suggestion_solved")
        return t(last.language, "already", state=t(last.language, "state_solved"))
    if not last.answered:
        return t(last.language, "already_unresolved")
    feedback = await core.desk.feedback(last.question.id, user, solved=solved)
    lang = last.language
    if feedback.result is FeedbackResult.SOLVED:
        return t(lang, "solved_ack", user=user)
    if feedback.result is FeedbackResult.NOT_HELPFUL:
        area = feedback.area
        part = t(lang, "unknown_area_part", area=area.name) if area else ""
        return t(lang, "not_helpful_ack", area_part=part)
    solved_before = feedback.question is not None and feedback.question.status == "solved"
    return t(
        lang, "already", state=t(lang, "state_solved" if solved_before else "state_unresolved")
    )
