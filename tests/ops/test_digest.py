"""The roadmap file and the weekly digest built from real records."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from bot.app import create_core
from bot.ops.roadmap import parse_roadmap
from bot.settings import Check, Ops, Settings
from bot.store.models import Escalation, OutboxMessage, Question, UptimeResult
from handlers.slack.notify import digest_blocks
from tests.conftest import KNOWLEDGE, make_settings, small_knowledge

MONDAY = datetime(2026, 11, 30, 7, 0, tzinfo=UTC)  # 08:00 in Stockholm


def test_the_sample_roadmap_parses_and_bad_lines_are_explained() -> None:
    roadmap = parse_roadmap((KNOWLEDGE / "roadmap.md").read_text(), "roadmap.md")
    assert roadmap.problems == []
    assert [i.section for i in roadmap.items].count("nu") == 3
    scanning = next(i for i in roadmap.items if i.title.startswith("Streckkod"))
    assert (scanning.owner, scanning.target.isoformat(), scanning.status) == (
        "Johan Berg",
        "2026-12-01",
        "test",
    )
    bad = parse_roadmap("## Sedan\n## Nu\n- bara en titel\n- X | Y | 31/12 | klar\n", "roadmap.md")
    assert [(p.line, p.message.split(":")[0][:20]) for p in bad.problems] == [
        (1, "a section must be Nu"),
        (3, "an item is"),
        (4, "target '31/12' is no"),
    ]


async def test_weekly_digest_figures_changes_and_exactly_once(
    database_url: str, tmp_path: Path
) -> None:
    knowledge = small_knowledge(tmp_path, "upgrades.md", "roadmap.md")
    roadmap = knowledge / "roadmap.md"
    check = Check("erp-web", "BC webbklient", url="http://127.0.0.1:9/", timeout=1, interval=60)
    ops = Ops(channel="C0OPS", uptime_owner="U0DRIFT", improvements_owner="U0ANNA", checks=(check,))
    clock = [MONDAY]
    core = await create_core(
        make_settings(database_url, knowledge_dir=knowledge, ops=ops), lambda: clock[0]
    )
    try:
        week = MONDAY - timedelta(days=3)
        async with core.db.session() as session:
            for n, answered in enumerate([True, True, False, False, False]):
                session.add(
                    Question(
                        created_at=week + timedelta(hours=n),
                        source="slack",
                        asker="U1",
                        text=f"fråga {n}",
                        language="sv",
                        matched_question="Hur krediterar jag?" if n < 4 else None,
                        matched_area="finance" if n == 3 else None,
                        confidence=0.9 if answered else 0.2,
                        answered=answered,
                        status="answered" if answered else "solved" if n == 2 else "unresolved",
                        feedback="suggestion" if n == 2 else None,  # solved by a suggestion
                        solved_by_entry="Hur bokför jag?" if n == 2 else None,
                    )
                )
            await session.flush()
            ids = list(
                await session.scalars(select(Question.id).where(Question.answered.is_(False)))
            )
            for qid, claim_hours in zip(ids, (1, 3), strict=False):
                session.add(
                    Escalation(
                        question_id=qid,
                        area="finance",
                        state="claimed",
                        level=0,
                        reminded=False,
                        created_at=week,
                        updated_at=week,
                        claimed_at=week + timedelta(hours=claim_hours),
                    )
                )
            for minute in range(10):
                session.add(
                    UptimeResult(
                        check_id="erp-web", at=week + timedelta(minutes=minute), ok=minute != 0
                    )
                )
            await session.commit()

        digest = await core.digest.make()
        text = digest.as_text()
        assert digest.title == "Veckorapport för affärssystemet, vecka 48 (2026-11-23–2026-11-29)"
        assert (
            "Frågor: 5, besvarade av FAQ:n: 2, lösta med ett förslag ur FAQ:n: 1, eskalerade: 2"
        ) in text
        assert "Mediantid tills någon tog ett ärende: 2,0 h" in text
        assert (
            "Lösta med ett förslag ur FAQ:n (Lägg till i FAQ:n i triagekanalen lägger frågan på en "
            "Also asked:-rad under posten):\n  fråga 2 → Hur bokför jag?\n"
        ) in text
        assert "Obesvarade per område: Ekonomi / Finance 1, okänt område 1" in text
        assert "Vanligaste obesvarade frågor (luckor i FAQ:n):\n  fråga 3\n  fråga 4" in text
        assert "BC webbklient: 90,00%" in text
        assert "Sen sedan 2026-11-20: Attestflöde för inköp över 50 000 kr" in text
        assert "Business Central 27.2 (uppdatering): 2026-12-12 18:00" in text
        owners = "Ansvariga\nDrift: U0DRIFT\nFörbättringar (roadmap): U0ANNA\nUppgraderingar: ingen"
        assert owners in text
        assert "Första rapporten" in text

        assert await core.digest.post() is True
        assert await core.digest.post() is False  # the job fired again this week: not twice
        roadmap.write_text(
            roadmap.read_text()
            .replace("| 2026-12-01 | test", "| 2026-12-01 | klar")
            .replace("- Prognosstyrda beställningsförslag | Sara Nilsson | - | idé\n", "")
        )
        clock[0] = MONDAY + timedelta(days=7)
        later = (await core.digest.make()).as_text()
        assert "Streckkodsskanning vid inleverans i Jönköping: status test → klar" in later
        assert "Borttagen: Prognosstyrda beställningsförslag" in later
        async with core.db.session() as session:
            [row] = await session.scalars(
                select(OutboxMessage).where(OutboxMessage.topic == "digest")
            )
        blocks = digest_blocks(
            core.settings,
            **{
                k: v
                for k, v in json.loads(row.payload).items()
                if k in ("title", "sections", "owners")
            },
        )
        assert blocks[0]["type"] == "header" and len(blocks) <= 50
        assert all(len(b["text"]["text"]) <= 3000 for b in blocks[1:])
        assert any("Drift: <@U0DRIFT>" in b["text"]["text"] for b in blocks[1:])
        assert any("Uppgraderingar: ingen utsedd" in b["text"]["text"] for b in blocks[1:])
    finally:
        await core.close()


async def test_digest_with_unreadable_files_still_reports(
    database_url: str, tmp_path: Path
) -> None:
    knowledge = small_knowledge(tmp_path)
    (knowledge / "roadmap.md").write_bytes(
        "## Nu\n- Bankavstämning | Anna | - | pågår\n".encode("cp1252")
    )
    (knowledge / "upgrades.md").write_bytes("## 2026-12-12 18:00 - 22:00 Åtgärd\n".encode("cp1252"))
    core = await create_core(make_settings(database_url, knowledge_dir=knowledge), lambda: MONDAY)
    try:
        text = (await core.digest.make()).as_text()
    finally:
        await core.close()
    assert "Kan inte läsas i roadmap.md\nknowledge/roadmap.md:1: cannot read the file" in text
    assert "Kan inte läsas i upgrades.md" in text


def test_digest_blocks_stay_within_slacks_limits() -> None:
    sections = [[f"Avsnitt {n}", [f"rad {m} " + "x" * 200 for m in range(40)]] for n in range(30)]
    settings = Settings(knowledge_dir=Path("knowledge"))
    blocks = digest_blocks(settings, "Veckorapport", sections, [["Drift", "U0DRIFT"]])
    assert len(blocks) == 50 and all(len(b["text"]["text"]) <= 3000 for b in blocks[1:])
    assert "firstline digest --dry-run" in blocks[-1]["text"]["text"]


async def test_declined_and_vague_questions_are_counted_apart_from_the_faqs_gaps(
    database_url: str, tmp_path: Path
) -> None:
    knowledge = small_knowledge(tmp_path)
    core = await create_core(make_settings(database_url, knowledge_dir=knowledge), lambda: MONDAY)
    week = MONDAY - timedelta(days=3)
    # (text, outcome, status now, feedback, the entry it was solved by)
    asked = [
        ("vad blir det till lunch?", "off_topic", "off_topic", None, None),
        ("vpn lösenord", "off_topic", "unresolved", None, None),  # the asker sent it on anyway
        ("faktura", "clarify", "clarify", None, None),
        ("lager", "clarify", "solved", "suggestion", "Hur flyttar jag varor?"),
        ("hur periodiserar jag hyra?", "unresolved", "unresolved", None, None),
    ]
    try:
        async with core.db.session() as session:
            for n, (text, outcome, status, feedback, entry) in enumerate(asked):
                session.add(
                    Question(
                        created_at=week + timedelta(hours=n),
                        source="slack",
                        asker="U1",
                        text=text,
                        language="sv",
                        confidence=0.1,
                        answered=False,
                        status=status,
                        outcome=outcome,
                        feedback=feedback,
                        solved_by_entry=entry,
                    )
                )
            await session.commit()
        text = (await core.digest.make()).as_text()
    finally:
        await core.close()
    assert "Frågor: 5, besvarade av FAQ:n: 0, lösta med ett förslag ur FAQ:n: 1" in text
    assert (
        "Inte om affärssystemet (avböjda): 2, för vaga (boten frågade vad som menades): 2" in text
    )
    assert "Lösta med ett förslag ur FAQ:n" not in text  # "lager" is no phrasing to add
    gaps = "Vanligaste obesvarade frågor (luckor i FAQ:n):\n  vpn lösenord\n  hur periodiserar"
    assert gaps in text
    assert "lunch" not in text and "faktura" not in text
