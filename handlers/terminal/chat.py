"""`firstline chat`: the bot in a terminal, on the same core as Slack.

Interactive, it shows a prompt and takes `/ja` (solved) and `/nej` (not what I needed) after an
answer, a suggestion's number after "similar questions in the FAQ" or "did you mean one of
these?", and `/fråga` to send a declined or vague question to a superuser anyway; with piped
input it answers each line and exits at the end of input. Small talk gets a short reply and is
not recorded; "exit", "quit" or "avsluta" as the whole message leaves, like /quit.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TextIO

from bot.app import Core, create_core
from bot.faq.markdown import plain
from bot.faq.matcher import Match
from bot.faq.model import Entry
from bot.faq.smalltalk import Kind, SmallTalk
from bot.faq.text import detect_language
from bot.logs import bind
from bot.settings import Settings
from bot.support.actions import Asked, Unknown, perform, typed
from bot.support.questions import FeedbackResult, Origin, Outcome, Reply
from bot.texts import help_now, off_topic_text, small_talk_text, t
from handlers.results import PLAIN, ResultText

HELP = """Type a question in Swedish or English. After an answer:
  /ja  or /solved     it solved the problem
  /nej or /no         not what I needed
When I suggest FAQ answers instead, or ask which one you mean, type a number to read it (then
/ja if it solved the problem).
  /fråga or /ask      send a question I declined or found too vague to a superuser anyway
  /support ...        the superusers' commands, as in Slack (/support help lists them); they
                      act as --user, and what they send others goes out through the running bot
  /quit               leave (or Ctrl-D; or type exit, quit or avsluta)"""
SUPPORT = "/support"

SOURCE = "chat"  # the questions' source: the terminal can't follow them up, so never escalated
RESULTS = ResultText(PLAIN)
SOLVED_COMMANDS = {"/ja", "/solved", "/yes"}
NOT_HELPFUL_COMMANDS = {"/nej", "/no", "/notuseful"}
ASK_ANYWAY_COMMANDS = {"/fråga", "/fraga", "/ask"}


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


def render_match(
    match: Match,
    settings: Settings,
    outcome: Outcome | None = None,
    chat: SmallTalk | None = None,
    examples: Sequence[str] = (),
) -> str:
    """`firstline ask`'s readable output (nothing is recorded there)."""
    lang = chat.language if chat else detect_language(match.question)
    if chat is not None:
        return small_talk_text(lang, chat.kind, examples)
    if match.answered:
        return render_answer(match, settings, lang)
    if outcome is Outcome.CLARIFY:
        return _numbered(lang, "clarify_intro", match.clarifications)
    if outcome is Outcome.OFF_TOPIC:
        return off_topic_text(lang, settings.elsewhere)
    guess = match.entry.question if match.entry else "-"
    return t(lang, "no_answer", guess=guess, confidence=f"{match.confidence:.2f}")


def _numbered(lang: str, intro: str, entries: Sequence[Entry], pick: str | None = None) -> str:
    listed = "".join(f"\n  {n}. {e.question}" for n, e in enumerate(entries, 1))
    return f"{t(lang, intro)}{listed}" + (f"\n{t(lang, pick)}" if pick else "")


def render_reply(reply: Reply, settings: Settings, examples: Sequence[str] = ()) -> str:
    lang = reply.language
    if reply.small_talk is not None:
        return small_talk_text(lang, reply.small_talk.kind, examples)
    if reply.answered:
        return render_answer(reply.match, settings, lang)
    if reply.outcome is Outcome.CLARIFY:
        return _numbered(lang, "clarify_intro", reply.clarifications, "clarify_pick_chat")
    if reply.outcome is Outcome.OFF_TOPIC:
        return f"{off_topic_text(lang, settings.elsewhere)}\n{t(lang, 'off_topic_anyway_chat')}"
    contact, _ = settings.help_route(None)
    text = f"{t(lang, 'unknown', area_part='')}\n{help_now(lang, contact, None)}"
    if reply.suggestions:
        text += "\n\n" + _numbered(lang, "suggestions_intro", reply.suggestions, "suggestions_pick")
    return text


def _offered(reply: Reply | None) -> tuple[Entry, ...]:
    """The entries the last reply numbered: similar questions, or what a vague one may mean."""
    if reply is None:
        return ()
    return reply.suggestions or reply.clarifications


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
            bind(question=None, escalation=None)  # a new message: not about the last one
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
            elif command in ASK_ANYWAY_COMMANDS:
                say("bot> " + await _ask_anyway(core, last, user, settings))
            elif command == SUPPORT or command.startswith(SUPPORT + " "):
                say("bot> " + await _support(core, text[len(SUPPORT) :], user, settings))
            elif last is not None and _offered(last) and text.isdecimal():
                lang = last.language
                number = int(text)
                offered = _offered(last)
                if 1 <= number <= len(offered):
                    picked = offered[number - 1]
                    read = t(lang, "suggestion_read")
                    say(f"bot> {render_entry(picked, settings, lang)}\n\n{read}")
                else:
                    say("bot> " + t(lang, "nothing_suggested"))
            else:
                reply = await core.desk.ask(text, Origin(SOURCE, user))
                if reply.small_talk is not None and reply.small_talk.kind is Kind.EXIT:
                    break
                if reply.question is not None:  # small talk leaves the last question be
                    last, picked = reply, None
                echo = "" if interactive else f"you> {text}\n"
                examples = core.desk.examples(reply.language)
                say(f"{echo}bot> {render_reply(reply, settings, examples)}")
    finally:
        await core.close()
    return 0


async def _support(core: Core, text: str, user: str, settings: Settings) -> str:
    """A superusers' command, looked up in the core's table of actions and run as `user`."""
    command = typed(text)
    if isinstance(command, Unknown):
        return RESULTS.result(command)
    result = await perform(core, command, user, source=SOURCE)
    if isinstance(result, Asked):
        return render_reply(result.reply, settings, core.desk.examples(result.reply.language))
    return RESULTS.result(result)


async def _ask_anyway(core: Core, last: Reply | None, user: str, settings: Settings) -> str:
    """/fråga: a question the bot declined or found too vague goes to a superuser after all
    (here in the terminal: it is saved as unanswered for the superusers to go through)."""
    if last is None or last.question is None:
        return t("sv", "nothing_to_ask")
    lang = last.language
    if last.outcome not in (Outcome.CLARIFY, Outcome.OFF_TOPIC):
        return t(lang, "ask_after_answer" if last.answered else "already_unresolved")
    feedback = await core.desk.ask_anyway(last.question.id, user)
    if feedback.result is FeedbackResult.ASKED_ANYWAY:
        contact, _ = settings.help_route(None)
        return f"{t(lang, 'asked_anyway_saved')}\n{help_now(lang, contact, None)}"
    if feedback.question is not None and feedback.question.status == "solved":
        return t(lang, "already", state=t(lang, "state_solved"))
    return t(lang, "already_asked")


async def _feedback(
    core: Core, last: Reply | None, picked: Entry | None, user: str, solved: bool
) -> str:
    if last is None:
        return t("sv", "nothing_to_mark")
    if last.outcome in (Outcome.CLARIFY, Outcome.OFF_TOPIC) and (picked is None or not solved):
        return t(last.language, "nothing_to_mark")
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
