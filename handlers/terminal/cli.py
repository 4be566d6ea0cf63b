"""The `firstline` command line.

The CLI is the composition root: `run` is the one place that reaches into `handlers/` to start a
chat channel adapter, and only when that command runs.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import json
import logging
import os
import sys
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TypeVar

from sqlalchemy import inspect, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.app import Core, create_core
from bot.faq.doctor import Asked, Report, diagnose
from bot.faq.evaluate import CasesError, evaluate, read_cases
from bot.faq.knowledge import Knowledge
from bot.faq.loader import KnowledgeError, load_knowledge, unconfigured_areas_problem
from bot.faq.matcher import Match
from bot.faq.semantic import SemanticUnavailable, open_semantic
from bot.faq.smalltalk import SmallTalk
from bot.logs import LOG_FORMATS, JsonFormatter, configure_logging
from bot.ops.chart import SupportChart, draw
from bot.ops.digest import outbox_keys
from bot.ops.roadmap import load_roadmap
from bot.ops.scheduler import build_scheduler
from bot.ops.upgrades import load_upgrades
from bot.settings import Settings, SettingsError, Vendor, load_settings
from bot.store.backup import BackupError, Counts, export_history, import_history
from bot.store.db import Database, DatabaseUnavailable
from bot.store.models import Escalation, OutboxMessage, Question
from bot.support.learning import LEARNED_TEXTS, by_entry
from bot.support.questions import Outcome, Status, consider, example_questions
from handlers.teams.identity import described as teams_described
from handlers.terminal.chat import render_match, run_chat
from handlers.terminal.sender import terminal_channel

log = logging.getLogger("firstline")
SLACK_WEB_API = "https://slack.com/api/ (Slack's)"
# How long `firstline digest` and `jobs run` wait for a retry of what they queued (a rate
# limit's Retry-After, a brief outage) before they leave it to the running bot.
DELIVER_WITHIN_SECONDS = 30.0
T = TypeVar("T")


class UsageError(Exception):
    """A problem the user can fix; printed as one line, exit status 2."""


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return 2
    default = logging.INFO if args.handler is cmd_run else logging.WARNING
    args.log_level = logging.DEBUG if args.verbose else logging.WARNING if args.quiet else default
    # until the settings are read: the format the environment asks for, if it is a known one
    early_format = os.environ.get("LOG_FORMAT", "").strip().lower()
    configure_logging(args.log_level, early_format if early_format in LOG_FORMATS else "text")
    logging.getLogger("alembic").setLevel(logging.WARNING)
    try:
        return int(args.handler(args) or 0)
    except (
        SettingsError,
        KnowledgeError,
        CasesError,
        UsageError,
        DatabaseUnavailable,
        SemanticUnavailable,
        BackupError,
    ) as exc:
        if _logs_json():
            log.error("%s", exc)  # the same line, as one a log collector reads
        else:
            print(f"firstline: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def _logs_json() -> bool:
    return any(isinstance(h.formatter, JsonFormatter) for h in logging.getLogger().handlers)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="firstline",
        description="First-line ERP support bot: answers from a markdown FAQ, in Slack or here.",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    parser.add_argument("-q", "--quiet", action="store_true", help="warnings and errors only")
    sub = parser.add_subparsers(title="commands", metavar="COMMAND")

    ask = sub.add_parser("ask", help="answer questions from the FAQ (arguments or stdin)")
    _knowledge_option(ask)
    ask.add_argument("--json", action="store_true", help="one JSON object per question per line")
    ask.add_argument(
        "question", nargs="*", help="questions, one per argument (quote them); none: read stdin"
    )
    ask.set_defaults(handler=cmd_ask)

    chat = sub.add_parser("chat", help="chat with the bot in the terminal (no Slack needed)")
    _knowledge_option(chat)
    chat.add_argument(
        "--user",
        metavar="ID",
        help="who you are for /support commands: your [people] key or Slack member id as in the "
        "config (default: your login name, which may only read)",
    )
    chat.set_defaults(handler=cmd_chat)

    run = sub.add_parser(
        "run", help="run the Slack bot (Socket Mode if SLACK_APP_TOKEN is set, else HTTP)"
    )
    mode = run.add_mutually_exclusive_group()
    mode.add_argument("--http", action="store_true", help="force HTTP mode (Events API on PORT)")
    mode.add_argument(
        "--socket-mode", action="store_true", help="force Socket Mode (needs SLACK_APP_TOKEN)"
    )
    run.set_defaults(handler=cmd_run)

    kb = sub.add_parser("kb", help="knowledge base tools")
    kb_sub = kb.add_subparsers(title="kb commands", metavar="KB_COMMAND")
    lint = kb_sub.add_parser("lint", help="check every FAQ file; exit 1 on any problem")
    _knowledge_option(lint)
    lint.set_defaults(handler=cmd_kb_lint)
    ev = kb_sub.add_parser(
        "eval",
        help="measure matching on a JSON Lines file of questions",
        description=(
            "Top-1 accuracy counts an answerable question as right only when the bot answered it "
            "with the expected entry; correct abstention counts unanswerable questions the bot "
            "declined to answer."
        ),
    )
    _knowledge_option(ev)
    ev.add_argument("cases", type=Path, help="JSON Lines: {question, expected}")
    ev.add_argument("--failures", action="store_true", help="list every miss")
    ev.add_argument("--json", action="store_true", help="print the figures as JSON")
    ev.add_argument(
        "--without-learned",
        action="store_true",
        help="leave out the phrasings learned from use (the FAQ files alone)",
    )
    ev.set_defaults(handler=cmd_kb_eval)
    doctor = kb_sub.add_parser(
        "doctor",
        help="what to add to the FAQ so the bot answers better",
        description=(
            "Advice for the FAQ's owners: entries the bot confuses with each other, entries "
            "with phrasings in one language only, and questions from the last weeks that the bot "
            "declined but nearly matched (from the database at DATABASE_URL). Always exit 0."
        ),
    )
    _knowledge_option(doctor)
    doctor.add_argument(
        "--weeks",
        type=_positive_int,
        default=4,
        metavar="N",
        help="look at the unresolved questions of the last N weeks (default 4)",
    )
    doctor.add_argument("--json", action="store_true", help="print the report as JSON")
    doctor.set_defaults(handler=cmd_kb_doctor)
    kb.set_defaults(handler=lambda _args: _help(kb))

    jobs = sub.add_parser("jobs", help="the scheduled jobs")
    jobs_sub = jobs.add_subparsers(title="jobs commands", metavar="JOBS_COMMAND")
    jobs_list = jobs_sub.add_parser("list", help="job ids and their next run times")
    jobs_list.set_defaults(handler=cmd_jobs_list)
    jobs_run = jobs_sub.add_parser(
        "run", help="run one job now (messages go to the terminal when no Slack token is set)"
    )
    jobs_run.add_argument("job_id", metavar="ID", help="a job id from `firstline jobs list`")
    jobs_run.set_defaults(handler=cmd_jobs_run)
    jobs.set_defaults(handler=lambda _args: _help(jobs))

    digest = sub.add_parser("digest", help="the weekly roadmap digest: print it, or post it now")
    digest.add_argument("--dry-run", action="store_true", help="print it here; post nothing")
    digest.add_argument(
        "--chart",
        type=Path,
        metavar="FILE",
        help="also save the chart of the last 12 weeks' support figures as a PNG",
    )
    digest.set_defaults(handler=cmd_digest)

    config = sub.add_parser("config", help="configuration tools")
    config_sub = config.add_subparsers(title="config commands", metavar="CONFIG_COMMAND")
    check = config_sub.add_parser(
        "check", help="validate the settings and FIRSTLINE_CONFIG; exit 2 on any problem"
    )
    check.set_defaults(handler=cmd_config_check)
    config.set_defaults(handler=lambda _args: _help(config))

    db = sub.add_parser("db", help="database tools")
    db_sub = db.add_subparsers(title="db commands", metavar="DB_COMMAND")
    up = db_sub.add_parser("upgrade", help="apply database migrations")
    up.set_defaults(handler=cmd_db_upgrade)
    export = db_sub.add_parser(
        "export",
        help="write the whole history to FILE as JSON Lines (a backup, or a move)",
        description=(
            "Every row of the database at DATABASE_URL (questions, escalations and their audit "
            "trail, learned phrasings, the outbox, the inbox, uptime results, the digest's "
            "snapshot) with its id, read as one consistent state: the bot may keep running."
        ),
    )
    export.add_argument("file", type=Path, metavar="FILE", help="where to write (replaced)")
    export.set_defaults(handler=cmd_db_export)
    load = db_sub.add_parser(
        "import",
        help="read an export into the empty database at DATABASE_URL",
        description=(
            "Into an empty database only (created and migrated if need be), all or nothing, "
            "ids kept. To move: stop the bot, export from the old DATABASE_URL, import with "
            "the new one, start the bot on the new one."
        ),
    )
    load.add_argument("file", type=Path, metavar="FILE", help="a file from `firstline db export`")
    load.set_defaults(handler=cmd_db_import)
    db.set_defaults(handler=lambda _args: _help(db))
    return parser


def _help(parser: argparse.ArgumentParser) -> int:
    parser.print_help()
    return 2


def _positive_int(value: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number of at least 1")
    return int(value)


def _knowledge_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--knowledge",
        type=Path,
        metavar="DIR",
        help="knowledge folder (default: KNOWLEDGE_DIR, else ./knowledge)",
    )


def _settings(args: argparse.Namespace) -> Settings:
    """Settings, with `--knowledge DIR` taking the place of KNOWLEDGE_DIR; from now on the log
    is in their LOG_FORMAT and never shows their secrets."""
    knowledge = getattr(args, "knowledge", None)
    if knowledge is None:
        settings = load_settings()
    elif not knowledge.is_dir():
        raise UsageError(f"--knowledge {str(knowledge)!r} is not a folder")
    else:
        settings = load_settings({**os.environ, "KNOWLEDGE_DIR": str(knowledge)})
    configure_logging(args.log_level, settings.log_format, settings.secrets)
    return settings


def _knowledge(settings: Settings, learned: dict[str, list[str]] | None = None) -> Knowledge:
    return Knowledge.load(
        settings.knowledge_dir,
        settings.area_keys,
        settings.answer_threshold,
        learned,
        open_semantic(settings.semantic, settings.semantic_cache),
    )


def cmd_ask(args: argparse.Namespace) -> int:
    settings = _settings(args)
    knowledge = _knowledge(settings)
    given = args.question or sys.stdin
    questions = [q.strip() for q in given if q.strip()]
    for question in questions:
        outcome, match, chat = consider(question, knowledge)
        if args.json:
            print(json.dumps(_match_json(match, outcome, chat), ensure_ascii=False))
        else:
            examples = example_questions(knowledge, chat.language) if chat else ()
            print(render_match(match, settings, outcome, chat, examples))
    return 0


def _match_json(match: Match, outcome: Outcome, chat: SmallTalk | None) -> dict:
    """Small talk, a clarifying question and a decline are not answers: "answered" is false
    for them, and "outcome" says which it was."""
    answered = outcome is Outcome.ANSWERED
    entry = match.entry if answered else None
    return {
        "question": match.question,
        "answered": answered,
        "match": entry.question if entry else None,
        "area": entry.area if entry else None,
        "score": match.confidence,
        "source": entry.location if entry else None,
        "best_guess": match.entry.question if match.entry and not answered else None,
        "outcome": str(outcome),
        "small_talk": str(chat.kind) if chat else None,
        "clarifications": [e.question for e in match.clarifications],
    }


def cmd_chat(args: argparse.Namespace) -> int:
    settings = _settings(args)
    user = args.user or _local_user()
    return asyncio.run(run_chat(settings, sys.stdin, sys.stdout, user=user))


def _local_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "local"


def cmd_run(args: argparse.Namespace) -> int:
    settings = _settings(args)
    if args.http:
        settings = replace(settings, slack_app_token=None)
    elif args.socket_mode and not settings.slack_app_token:
        raise SettingsError(
            "SLACK_APP_TOKEN is not set: Socket Mode needs an app-level token (xapp-...) with the "
            "connections:write scope (Basic Information > App-Level Tokens)"
        )
    settings.require_slack()
    from handlers.slack.runner import run_slack

    return asyncio.run(run_slack(settings))


def cmd_kb_lint(args: argparse.Namespace) -> int:

    settings = _settings(args)
    kb = load_knowledge(settings.knowledge_dir, settings.area_keys, log_problems=False)
    zone = settings.escalation.hours.zone
    upgrades = load_upgrades(settings.knowledge_dir / "upgrades.md", zone).problems
    roadmap = load_roadmap(settings.knowledge_dir / "roadmap.md").problems
    kb.problems.extend([*upgrades, *roadmap])
    for problem in kb.problems:
        print(problem)
    per_area = {a: sum(1 for e in kb.entries if e.area == a) for a in settings.area_keys}
    summary = ", ".join(f"{a} {n}" for a, n in per_area.items())
    print(
        f"{len(kb.entries)} entries in {kb.files} files ({summary}), "
        f"{len(kb.synonyms)} synonym groups, {len(kb.problems)} problem(s)"
    )
    return 1 if kb.problems else 0


def cmd_kb_eval(args: argparse.Namespace) -> int:
    settings = _settings(args)
    learned = {} if args.without_learned else asyncio.run(_learned(settings.database_url))
    knowledge = _knowledge(settings, learned)
    cases = read_cases(args.cases)
    result = evaluate(knowledge.matcher, cases)
    count = sum(len(e.learned) for e in knowledge.base.entries)
    if args.json:
        print(json.dumps({**result.as_dict(), "learned_phrasings": count}))
    else:
        print(f"cases: {len(cases)} ({result.answerable} answerable, {result.unanswerable} not)")
        print(f"phrasings learned from use (from the database): {count}")
        print(
            f"top-1 accuracy on answerable: {result.accuracy:.1%} "
            f"({result.correct}/{result.answerable})"
        )
        print(
            f"  (best guess right, answered or not: {result.ranking:.1%}, "
            f"{result.ranked_first}/{result.answerable})"
        )
        print(
            f"correct abstention on unanswerable: {result.abstention:.1%} "
            f"({result.abstained}/{result.unanswerable})"
        )
        print(
            f"declined answerable questions with the right entry among the suggestions: "
            f"{result.suggested_right}/{result.declined_answerable}; "
            f"unanswerable questions shown suggestions: "
            f"{result.suggested_unanswerable}/{result.unanswerable}"
        )
    if args.failures:
        for failure in result.failures:
            print(json.dumps(failure, ensure_ascii=False))
    return 0


def cmd_kb_doctor(args: argparse.Namespace) -> int:
    settings = _settings(args)
    knowledge = _knowledge(settings, asyncio.run(_learned(settings.database_url)))
    since = datetime.now(UTC) - timedelta(weeks=args.weeks)
    asked, note = asyncio.run(_unresolved_since(settings.database_url, since))
    report = diagnose(knowledge.matcher, asked, note)
    if args.json:
        print(json.dumps({"weeks": args.weeks, **report.as_dict()}, ensure_ascii=False, indent=2))
    else:
        print(_doctor_text(report, settings.knowledge_dir, args.weeks))
    return 0


async def _read_only(
    database_url: str, table: str, read: Callable[[AsyncConnection], Awaitable[T]]
) -> tuple[T | None, str | None]:
    """`read` on the database, without creating or migrating anything; (None, why) when there is
    no database yet, or no such table in it, or it can't be read."""
    from sqlalchemy.engine import make_url

    url = make_url(database_url)
    file = url.database if url.get_backend_name() == "sqlite" else None
    where = file or url.render_as_string(hide_password=True)
    if file and file != ":memory:" and not Path(file).is_file():
        return None, f"No database at {file}: no questions recorded yet."
    db = Database(database_url)
    try:
        async with db.engine.connect() as conn:
            tables = await conn.run_sync(lambda sync: inspect(sync).get_table_names())
            if table not in tables:
                return None, f"The database {where} is empty: no questions recorded yet."
            return await read(conn), None
    except (SQLAlchemyError, OSError) as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        return None, f"Cannot read the database {where}: {reason}"
    finally:
        await db.close()


async def _unresolved_since(
    database_url: str, since: datetime
) -> tuple[list[Asked] | None, str | None]:
    """The unresolved questions asked since `since`."""

    async def read(conn: AsyncConnection) -> list[Asked]:
        rows = await conn.execute(
            select(Question.text, Question.created_at, Escalation.id)
            .outerjoin(Escalation, Escalation.question_id == Question.id)
            .where(Question.status == Status.UNRESOLVED, Question.created_at >= since)
        )
        return [Asked(text, at, number) for text, at, number in rows]

    return await _read_only(database_url, "questions", read)


async def _learned(database_url: str) -> dict[str, list[str]]:
    """The phrasings learned from use, by the `question_key` of their entry (none without a
    database)."""

    async def read(conn: AsyncConnection) -> dict[str, list[str]]:
        return by_entry(await conn.execute(LEARNED_TEXTS))

    learned, _ = await _read_only(database_url, "learned_phrasings", read)
    return learned or {}


def _doctor_text(report: Report, root: Path, weeks: int) -> str:
    lines = [f"{report.entries} FAQ entries in {root}", ""]
    lines.append(f"Confusable entries: {len(report.confusable)}")
    if not report.confusable:
        lines.append("  None: every entry's heading clearly matches that entry.")
    for pair in report.confusable:
        why = (
            "its heading matches the other entry better"
            if pair.margin is None
            else f"its heading's runner-up scores nearly as well (margin {pair.margin:.2f})"
        )
        lines += [
            f"  «{pair.entry.question}» ~ «{pair.other.question}»",
            f"    {pair.entry.location} ~ {pair.other.location}: {why}",
            f"    {pair.advice}",
        ]
    without = report.without_phrasings
    lines += [
        "",
        f"Entries in one language only: {len(report.one_language)} "
        f"(and {len(without)} without any `Also asked:` line)",
    ]
    if not report.one_language and not without:
        lines.append("  None: every entry has phrasings in both Swedish and English.")
    for one in report.one_language:
        lines.append(f"  «{one.entry.question}» ({one.entry.location}): {one.advice}")
    if without:
        lines.append(
            "  Without `Also asked:` (add the ways colleagues ask, in both languages): "
            + "; ".join(f"«{e.question}» ({e.location})" for e in without)
        )
    misses = report.near_misses
    heading = f"Near misses from real use, last {weeks} weeks: {len(misses or ())}"
    lines += ["", heading + (f" of {report.checked} unresolved questions" if misses else "")]
    if misses is None:
        lines.append(f"  {report.note}")
    elif not misses:
        lines.append(
            f"  None of the {report.checked} unresolved questions of the last {weeks} weeks "
            "comes close to an entry."
            if report.checked
            else f"  No unresolved questions in the last {weeks} weeks."
        )
    lines += [f"  {miss.advice}" for miss in misses or ()]
    return "\n".join(lines)


def _with_core(settings: Settings, work: Callable[[Core], Awaitable[T]]) -> T:
    """Run `work` on a core made from `settings`, closed afterwards. Its chat is Slack when a
    token is set, else this terminal."""

    async def run() -> T:
        core = await create_core(settings)
        if settings.slack_bot_token:
            from handlers.slack import slack_channel

            core.attach(slack_channel(core, settings))
        else:
            core.attach(terminal_channel(sys.stdout))
        try:
            return await work(core)
        finally:
            await core.close()

    return asyncio.run(run())


def cmd_digest(args: argparse.Namespace) -> int:
    settings = _settings(args)

    async def digest(core: Core) -> int:
        if args.dry_run or args.chart is not None:
            made = await core.digest.make()
            if args.dry_run:
                print(made.as_text())
            if args.chart is not None:
                _save_chart(made.chart, args.chart)
        if args.dry_run:
            return 0
        return await _run_and_deliver(core, _post_digest(core), "weekly-digest")

    return _with_core(settings, digest)


def _post_digest(core: Core) -> Callable[[], Awaitable[object]]:
    """Queue this week's digest; when it was queued before and is still waiting or failed,
    deliver that one now, and so its chart: the command was asked to post it."""

    async def post() -> object:
        if not core.settings.ops.channel:
            raise UsageError("no [ops] channel in the config file: the digest has nowhere to go")
        if await core.digest.post():
            return True
        key, chart_key = outbox_keys((await core.digest.make()).week_key)
        queued = await core.outbox.take_over(key)
        await core.outbox.take_over(chart_key)
        if queued is not None and queued.state == "sent" and queued.sent_at is not None:
            return f"this week's digest was delivered at {_local(core, queued.sent_at)}"
        return queued is not None

    return post


def _local(core: Core, at: datetime) -> str:
    return at.astimezone(core.settings.escalation.hours.zone).strftime("%Y-%m-%d %H:%M %Z")


def _save_chart(chart: SupportChart, path: Path) -> None:
    try:
        path.write_bytes(draw(chart))
    except OSError as exc:
        raise UsageError(f"can't write the chart to {path}: {exc.strerror or exc}") from exc
    weeks = f"weeks {chart.weeks[0].week} to {chart.weeks[-1].week}"
    empty = "; no support figures in those weeks yet" if chart.empty else ""
    print(f"chart saved to {path} ({weeks}{empty})")


def cmd_jobs_list(args: argparse.Namespace) -> int:
    settings = _settings(args)
    zone = settings.escalation.hours.zone

    async def listing(core: Core) -> list[tuple[str, str, str]]:
        now = datetime.now(UTC)
        rows = []
        for job in build_scheduler(core).get_jobs():
            upcoming = job.trigger.get_next_fire_time(None, now)
            when = upcoming.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S %Z") if upcoming else "-"
            rows.append((job.id, when, str(job.trigger)))
        return rows

    rows = _with_core(settings, listing)
    width = max(len(r[0]) for r in rows)
    for job_id, when, trigger in rows:
        print(f"{job_id:<{width}}  next {when}  ({trigger})")
    return 0


def cmd_jobs_run(args: argparse.Namespace) -> int:
    settings = _settings(args)

    async def run(core: Core) -> int:
        jobs = {job.id: job for job in build_scheduler(core).get_jobs()}
        job = jobs.get(args.job_id)
        if job is None:
            raise UsageError(f"no job {args.job_id!r}; known: {', '.join(sorted(jobs))}")
        work = _post_digest(core) if args.job_id == "weekly-digest" else job.func.job
        return await _run_and_deliver(core, work, args.job_id)

    return _with_core(settings, run)


async def _run_and_deliver(core: Core, job: Callable[[], Awaitable[object]], name: str) -> int:
    """Run a job now and deliver what it queued through the attached chat (Slack, or printed
    here), waiting out short retries (a rate limit, a brief outage); only what this run
    queued: other pending messages stay for the bot. Exit status 1 when something queued was
    not delivered, each said in one line: refused, or waiting for the bot."""
    await core.outbox.only_after()
    try:
        result = await job()
    except Exception as exc:
        print(f"firstline: error: {name} failed: {exc}", file=sys.stderr)
        return 1
    await core.deliver_within(DELIVER_WITHIN_SECONDS)
    messages = await core.outbox.in_scope()
    if not messages:
        print(
            f"{name}: nothing to send: {result}"
            if isinstance(result, str)
            else f"ran {name}: nothing to send"
        )
        return 0
    delivered = sum(m.state == "sent" for m in messages)
    print(f"ran {name}: {len(messages)} message(s), {delivered} delivered")
    for message in messages:
        if message.state == "failed":
            print(
                f"firstline: error: not delivered: {_described(message)}: {message.last_error}; "
                "it is not tried again unless you run this command again",
                file=sys.stderr,
            )
        elif message.state != "sent":
            print(
                f"firstline: error: not delivered yet: {_described(message)}: "
                f"{message.last_error}; it waits in the outbox: a running bot (firstline run) "
                "delivers it when it is due, or the next one to start",
                file=sys.stderr,
            )
    return 0 if delivered == len(messages) else 1


def _described(message: OutboxMessage) -> str:
    """`the digest message to C0OPS (outbox id 7)`: what, where, and which row."""
    to = json.loads(message.payload).get("to")
    return f"the {message.topic} message{f' to {to}' if to else ''} (outbox id {message.id})"


def cmd_config_check(args: argparse.Namespace) -> int:
    settings = _settings(args)
    esc, vendor = settings.escalation, settings.vendor
    hours = esc.hours
    print(f"config: {settings.config_file or 'none (defaults)'}")
    print(f"support channels: {', '.join(sorted(settings.support_channels)) or 'none'}")
    for member in settings.people:
        ids = ", ".join(f"{channel} {native}" for channel, native in member.ids)
        print(f"person {member.key} ({member.name or 'no name'}): {ids}")
    for area in settings.areas:
        people = ", ".join(area.superusers) or "no superusers"
        print(f"area {area.key} ({area.name}): {people}")
    print(
        f"escalation: claim within {_hours(esc.claim_within)}, answer within "
        f"{_hours(esc.answer_within)} (business hours {hours.opens:%H:%M}-{hours.closes:%H:%M} "
        f"{'/'.join(hours.days)} {hours.timezone}, holidays {hours.country or 'none'}); "
        f"triage {esc.triage_channel or 'none'}; admins {', '.join(sorted(esc.admins)) or 'none'}"
    )
    routes = [
        name
        for name, value in (
            ("Slack", vendor.slack_channel),
            ("e-mail", vendor.email),
            ("webhook", vendor.webhook_url),
        )
        if value
    ]
    print(f"vendor: {_vendor_line(vendor.name, routes)}")
    ops = settings.ops
    checks = ", ".join(c.id for c in ops.checks) or "none"
    print(f"ops: channel {ops.channel or 'none'}; uptime checks: {checks}")
    print(f"Slack Web API: {settings.slack_api_url or SLACK_WEB_API}")
    print(teams_described(settings.teams))
    print(f"logs: {settings.log_format}")
    kb = load_knowledge(settings.knowledge_dir, settings.area_keys, log_problems=False)
    per_area = ", ".join(
        f"{area} {sum(e.area == area for e in kb.entries)}" for area in settings.area_keys
    )
    print(f"knowledge: {settings.knowledge_dir}; FAQ entries: {len(kb.entries)} ({per_area})")
    unconfigured = unconfigured_areas_problem(kb)
    if unconfigured:
        raise SettingsError(unconfigured)
    print("configuration is valid")
    return 0


def _vendor_line(name: str, routes: list[str]) -> str:
    """The vendor and how they are reached, or plainly that questions stay with us."""
    if routes:
        return f"{name} via {', '.join(routes)}"
    missing = "([vendor] slack_channel, email or webhook_url): questions stay with the superusers"
    if name == Vendor().name:  # the default name: no [vendor] at all
        return f"none configured {missing}"
    return f"{name}, with no way to reach them {missing}"


def _hours(duration: timedelta) -> str:
    minutes = int(duration.total_seconds() // 60)
    return f"{minutes // 60}h{minutes % 60:02d}m" if minutes % 60 else f"{minutes // 60}h"


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    settings = _settings(args)

    async def upgrade() -> None:
        db = Database(settings.database_url)
        try:
            await db.upgrade()
        finally:
            await db.close()

    asyncio.run(upgrade())
    print(f"database is up to date ({_safe_url(settings.database_url)})")
    return 0


def cmd_db_export(args: argparse.Namespace) -> int:
    settings = load_settings()
    path: Path = args.file
    partial = path.with_name(path.name + ".partial")  # the file appears only when complete
    try:
        with partial.open("w", encoding="utf-8") as out:
            counts = asyncio.run(export_history(settings.database_url, out))
        partial.replace(path)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise UsageError(f"can't write {path}: {exc.strerror or exc}") from exc
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    print(f"exported {counts.total} row(s) from {_safe_url(settings.database_url)} to {path}")
    print(f"  {counts}")
    return 0


def cmd_db_import(args: argparse.Namespace) -> int:
    settings = load_settings()
    path: Path = args.file

    async def load() -> Counts:
        db = Database(settings.database_url)
        try:
            with path.open(encoding="utf-8") as lines:
                return await import_history(db, lines)
        finally:
            await db.close()

    try:
        counts = asyncio.run(load())
    except OSError as exc:
        raise UsageError(f"can't read {path}: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise UsageError(f"{path} is not UTF-8 text, so not an export; nothing imported") from exc
    print(f"imported {counts.total} row(s) from {path} into {_safe_url(settings.database_url)}")
    print(f"  {counts}")
    return 0


def _safe_url(url: str) -> str:
    """The URL without its password, for printing."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


if __name__ == "__main__":
    sys.exit(main())
