"""`firstline db export` / `import`: history made by the real code paths moves from SQLite to
PostgreSQL and back without losing a row or an id, and bad input is refused with nothing kept."""

from __future__ import annotations

import io
import json
import re
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
import pytest_asyncio
from sqlalchemy import func, inspect, select, text
from sqlalchemy.ext.asyncio import create_async_engine

from bot.app import create_core
from bot.settings import Area, Check, Escalation, Ops, Settings
from bot.store.backup import (
    TABLES,
    BackupError,
    Counts,
    _snapshot_engine,
    export_history,
    import_history,
)
from bot.store.db import Database, head_revision
from bot.store.models import Question
from bot.support.questions import Origin
from tests.conftest import POSTGRES_URL, UNANSWERABLE, Clock, following_up, make_settings

ANNA, ASKER = "U0ANNA", "U0ASKER"
AREAS = (
    Area("finance", "Ekonomi / Finance", superusers=(ANNA,)),
    Area("warehouse", "Lager / Warehouse", superusers=("U0OLA",)),
    Area("purchasing", "Inköp / Purchasing", superusers=("U0SARA",)),
)
ANSWERABLE = "Kunden har fått fel pris, hur krediterar jag fakturan hon fick i går?"
DIRECTIONS = (
    [("sqlite", "postgresql"), ("postgresql", "sqlite")] if POSTGRES_URL else [("sqlite", "sqlite")]
)


def settings_for(url: str) -> Settings:
    check = Check("erp-web", "BC webbklient", url="http://127.0.0.1:9/", timeout=1, interval=60)
    return make_settings(
        url,
        areas=AREAS,
        ops=Ops(channel="C0OPS", uptime_owner=ANNA, checks=(check,)),
        escalation=Escalation(triage_channel="C0TRIAGE"),
    )


async def make_history(url: str) -> None:
    """A week of support through the real code: an answered question the asker confirmed
    (learned), an escalation claimed, answered and confirmed (its audit trail and notices), an
    event waiting in the inbox, an uptime check that failed, the digest, and the outbox sent."""
    clock = Clock()
    core = await create_core(settings_for(url), clock)
    try:
        core.attach(following_up("slack"))
        where = Origin("slack", ASKER, "C0SUPPORT", "1.1", "1.1", "Ev1", 'Åsa "Ö" Berg')
        answered = await core.desk.ask(ANSWERABLE, where)
        assert answered.answered and answered.question is not None
        await core.desk.feedback(answered.question.id, ASKER, solved=True)
        later = Origin("slack", ASKER, "C0SUPPORT", "2.2", "2.2", "Ev2", "Åsa")
        unresolved = await core.desk.ask(f"{UNANSWERABLE}\n📦 (två rader)", later)
        assert unresolved.question is not None
        async with core.db.session() as session:
            number = await session.scalar(text("SELECT max(id) FROM escalations"))
        clock.advance(minutes=20)
        await core.ladder.claim(number, ANNA)
        clock.advance(hours=2)
        await core.ladder.answer(number, ANNA, "Så här gör du:\n1. …")
        await core.ladder.confirm(number, ASKER, solved=True)
        await core.inbox.receive("Ev3", "message", "C0SUPPORT", {"text": "hej 🙂"})
        await core.uptime.run("erp-web")
        clock.advance(days=7)
        assert await core.digest.post()
        assert await core.deliver() > 0
    finally:
        await core.close()


async def export_lines(url: str) -> list[str]:
    out = io.StringIO()
    await export_history(url, out)
    return out.getvalue().splitlines(keepends=True)


async def import_lines(url: str, lines: list[str]) -> Counts:
    db = Database(url)
    try:
        return await import_history(db, lines)
    finally:
        await db.close()


async def rows_in(url: str) -> dict[str, int]:
    """Rows per table (0 where the table isn't made yet)."""
    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            made = set(await conn.run_sync(lambda sync: inspect(sync).get_table_names()))
            counted = select(func.count()).select_from
            return {t.name: await conn.scalar(counted(t)) if t.name in made else 0 for t in TABLES}
    finally:
        await engine.dispose()


@pytest_asyncio.fixture(params=DIRECTIONS, ids=lambda d: f"{d[0]}-to-{d[1]}")
async def move(
    request: pytest.FixtureRequest, tmp_path: Path, postgres_database: str | None
) -> AsyncIterator[tuple[str, str]]:
    """(from, to): two empty databases of the kinds named."""
    urls = []
    for role, kind in zip(("from", "to"), request.param, strict=True):
        if kind == "sqlite":
            urls.append(f"sqlite+aiosqlite:///{tmp_path / f'{role}.db'}")
            continue
        assert postgres_database is not None
        engine = create_async_engine(postgres_database)
        async with engine.begin() as conn:
            await conn.execute(text("DROP SCHEMA public CASCADE"))
            await conn.execute(text("CREATE SCHEMA public"))
        await engine.dispose()
        urls.append(postgres_database)
    yield urls[0], urls[1]


async def test_a_move_keeps_every_row_and_id_and_the_bot_goes_on(move: tuple[str, str]) -> None:
    source, target = move
    await make_history(source)
    exported = await export_lines(source)
    header, rows, end = json.loads(exported[0]), exported[1:-1], json.loads(exported[-1])
    assert (header["format"], header["revision"]) == ("firstline-export", head_revision())
    held = await rows_in(source)
    assert end["end"] == held and len(rows) == sum(held.values())
    for table in (
        "questions",
        "escalations",
        "escalation_events",
        "learned_phrasings",
        "outbox",
        "inbox",
        "processed_events",
        "uptime_results",
        "uptime_state",
        "snapshots",
    ):
        assert held[table] > 0, f"no {table} made: the test shows less than it says"

    counts = await import_lines(target, exported)
    assert counts.rows == held
    assert (await export_lines(target))[1:] == exported[1:]  # row for row, ids and all

    # the bot goes on where it was: new ids after the imported ones, nothing sent twice
    clock = Clock()
    clock.advance(days=7)
    core = await create_core(settings_for(target), clock)
    try:
        core.attach(following_up("slack"))
        asked = await core.desk.ask(UNANSWERABLE, Origin("slack", ASKER, "C0SUPPORT", "3.3"))
        assert asked.question is not None and asked.question.id == held["questions"] + 1
        async with core.db.session() as session:
            numbers = list(await session.scalars(text("SELECT id FROM escalations ORDER BY id")))
        assert numbers == [1, 2]
        assert await core.digest.post() is False  # this week's digest went out before the move
        assert await core.learning.latest(5)
    finally:
        await core.close()


@pytest_asyncio.fixture
async def history(tmp_path: Path) -> list[str]:
    """An export of the history above, from SQLite."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'history.db'}"
    await make_history(url)
    return await export_lines(url)


async def test_a_database_with_history_is_not_imported_into(
    database_url: str, history: list[str]
) -> None:
    await make_history(database_url)
    before = await rows_in(database_url)
    with pytest.raises(BackupError, match=r"is not empty \(inbox 1, outbox \d+, .*questions 2"):
        await import_lines(database_url, history)
    assert await rows_in(database_url) == before


def in_questions(lines: list[str], old: str, new: str) -> list[str]:
    """The export with `old` replaced by `new` in the questions' rows."""
    return [
        line.replace(old, new) if line.startswith('{"table":"questions"') else line
        for line in lines
    ]


@pytest.mark.parametrize(
    ("spoil", "says"),
    [
        (lambda lines: lines[:-1], "the file ends early: its last line, with the row counts"),
        (lambda lines: [*lines[:3], *lines[4:]], "are not the rows the last line counts"),
        (lambda lines: [*lines, '{"table": "questions"}\n'], "more after the last line"),
        (
            lambda lines: in_questions(lines, '"created_at":"20', '"created_at":"igår 20'),
            "questions.created_at is not a time with its UTC offset: 'igår 20",
        ),
        (
            lambda lines: in_questions(lines, '"answered":true', '"answered":"ja"'),
            "questions.answered should be bool, not 'ja'",
        ),
        (
            lambda lines: in_questions(lines, '"language":', '"språk":'),
            "questions has no column språk",
        ),
        (lambda lines: ['{"kind": "backup"}\n', *lines[1:]], "line 1: not a firstline export"),
        (
            lambda lines: [
                lines[0].replace(f'"revision":"{head_revision()}"', '"revision":"0003"'),
                *lines[1:],
            ],
            f"the export fits migration 0003, this firstline's database {head_revision()}",
        ),
        (lambda lines: [*lines[:2], "{not json\n", *lines[2:]], "line 3: not JSON"),
        (lambda lines: [], "the file is empty"),
    ],
    ids=[
        "cut short",
        "a row taken out",
        "more after the end",
        "not a time",
        "not a boolean",
        "unknown column",
        "not an export",
        "another version",
        "not JSON",
        "empty",
    ],
)
async def test_bad_input_is_refused_and_nothing_is_kept(
    database_url: str,
    history: list[str],
    spoil: Callable[[list[str]], list[str]],
    says: str,
) -> None:
    with pytest.raises(BackupError, match=re.escape(says)):
        await import_lines(database_url, spoil(history))
    assert not any((await rows_in(database_url)).values())
    assert (await import_lines(database_url, history)).total == len(history) - 2  # still empty


async def test_an_export_of_no_database_says_so(tmp_path: Path) -> None:
    missing = tmp_path / "none.db"
    with pytest.raises(BackupError, match=r"no database at .*none\.db: nothing to export"):
        await export_lines(f"sqlite+aiosqlite:///{missing}")
    assert not missing.exists()


async def test_an_export_reads_one_state_while_the_bot_writes(database_url: str) -> None:
    """What the export reads is one state of the database, however long it takes: a question
    and its escalation written while it reads the tables are in it both or not at all (else an
    escalation could be exported without its question). Shown on the export's own engine."""
    await make_history(database_url)
    engine = _snapshot_engine(database_url)
    writer = Database(database_url)
    try:
        async with engine.connect() as conn, conn.begin():
            count = select(func.count()).select_from(Question)
            before = await conn.scalar(count)
            async with writer.session() as session:
                session.add(
                    Question(source="slack", asker="U1", text="ny", language="sv", status="x")
                )
                await session.commit()
            assert await conn.scalar(count) == before
        async with engine.connect() as conn:
            assert await conn.scalar(count) == before + 1
    finally:
        await writer.close()
        await engine.dispose()
