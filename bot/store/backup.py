"""The whole history as JSON Lines, to back it up or to move it to another database (SQLite to
PostgreSQL and back): `firstline db export FILE` and `firstline db import FILE`.

Every table is written, parents before children, each row with its own id: questions, the
escalations and their audit trail, learned phrasings, the outbox (sent and waiting, so nothing
is sent twice after a move, nor lost), the inbox, handled event ids, uptime results and state,
and the digest's roadmap snapshot. The first line names the format and the migration the rows
fit; the last counts the rows, so a file cut short is found before anything is kept.

An export reads one consistent state of the database (one read transaction), so a running bot
may keep working meanwhile. An import goes into an empty database only, in one transaction: a
bad line leaves the database as empty as it was. On PostgreSQL the id sequences then continue
after the imported ids.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from sqlalchemy import (
    Boolean,
    Column,
    Float,
    Integer,
    String,
    Table,
    Text,
    event,
    func,
    inspect,
    select,
    text,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from bot.store.db import Database, head_revision
from bot.store.models import Base, UTCDateTime

FORMAT = "firstline-export"
VERSION = 1
BATCH = 500  # rows inserted at once
TABLES: list[Table] = list(Base.metadata.sorted_tables)  # parents before children


class BackupError(Exception):
    """The export or import can't be done; the message says why and what to do."""


@dataclass(frozen=True)
class Counts:
    """Rows per table, in the order they are written."""

    rows: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.rows.values())

    def __str__(self) -> str:
        return ", ".join(f"{table} {n}" for table, n in self.rows.items() if n) or "no rows"


# -- export ------------------------------------------------------------------------------------


async def export_history(database_url: str, out: TextIO) -> Counts:
    """Write every row of the database at `database_url` to `out` as JSON Lines."""
    where = _shown(database_url)
    file = make_url(database_url).database if database_url.startswith("sqlite") else None
    if file is not None and (not file or file == ":memory:" or not Path(file).is_file()):
        raise BackupError(f"no database at {file or where}: nothing to export")
    engine = _snapshot_engine(database_url)
    counts = {table.name: 0 for table in TABLES}
    try:
        async with engine.connect() as conn, conn.begin():
            revision = await _revision(conn)
            if revision != head_revision():
                raise BackupError(
                    f"the database {where} is at migration {revision or 'none'}, this firstline "
                    f"at {head_revision()}: run `firstline db upgrade` on it first"
                )
            header = {
                "format": FORMAT,
                "version": VERSION,
                "revision": revision,
                "exported_at": datetime.now(UTC).isoformat(),
                "tables": [table.name for table in TABLES],
            }
            out.write(_line(header))
            for table in TABLES:
                async for row in _rows(conn, table):
                    out.write(_line({"table": table.name, "row": row}))
                    counts[table.name] += 1
        out.write(_line({"end": counts}))
    except SQLAlchemyError as exc:
        raise BackupError(f"can't read the database {where}: {_reason(exc)}") from exc
    finally:
        await engine.dispose()
    return Counts(counts)


def _snapshot_engine(database_url: str) -> AsyncEngine:
    """An engine whose transaction reads one state of the database however long the export
    takes: REPEATABLE READ on PostgreSQL; on SQLite a real BEGIN (the driver would otherwise
    read each table in a transaction of its own)."""
    if not database_url.startswith("sqlite"):
        return create_async_engine(database_url, isolation_level="REPEATABLE READ")
    engine = create_async_engine(database_url)
    event.listen(engine.sync_engine, "connect", _sqlite_own_transactions)
    event.listen(engine.sync_engine, "begin", lambda conn: conn.exec_driver_sql("BEGIN"))
    return engine


def _sqlite_own_transactions(dbapi_connection: Any, _record: object) -> None:
    dbapi_connection.isolation_level = None  # the BEGIN above starts each transaction
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


async def _rows(conn: AsyncConnection, table: Table) -> AsyncIterator[dict[str, Any]]:
    ordered = select(table).order_by(*table.primary_key.columns)
    async for row in await conn.stream(ordered):
        yield {name: _exported(value) for name, value in row._mapping.items()}


def _exported(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def _line(values: dict[str, Any]) -> str:
    return json.dumps(values, ensure_ascii=False, separators=(",", ":")) + "\n"


# -- import ------------------------------------------------------------------------------------


async def import_history(db: Database, lines: Iterable[str]) -> Counts:
    """Insert an export's rows into the empty database `db` (created or migrated to the head
    first), all or nothing; on PostgreSQL the id sequences continue after the imported ids."""
    where = _shown(db.url)
    numbered = enumerate(lines, start=1)
    first = next(numbered, None)
    if first is None:
        raise BackupError("the file is empty")
    _check_header(first)
    held = await _rows_held(db)
    if held.total:
        raise BackupError(
            f"the database {where} is not empty ({held}): import only into an empty database "
            "(a new one, made for the move), so nothing in it is mixed up or lost"
        )
    await db.upgrade()
    try:
        async with db.engine.begin() as conn:
            counts = await _insert_all(conn, numbered)
            if not db.is_sqlite:
                await _continue_sequences(conn)
    except SQLAlchemyError as exc:
        raise BackupError(f"the import into {where} failed and was undone: {_reason(exc)}") from exc
    return counts


def _check_header(first: tuple[int, str]) -> None:
    header = _parsed(*first)
    if header.get("format") != FORMAT:
        raise BackupError("line 1: not a firstline export (made by `firstline db export`)")
    if header.get("version") != VERSION:
        raise BackupError(f"line 1: export format version {header.get('version')} is unknown")
    revision = header.get("revision")
    if revision != head_revision():
        raise BackupError(
            f"the export fits migration {revision}, this firstline's database {head_revision()}: "
            "export and import with the same version of firstline"
        )


async def _insert_all(conn: AsyncConnection, numbered: Iterator[tuple[int, str]]) -> Counts:
    """Insert the rows in batches, in the file's order, up to the last line, whose counts they
    must match (raising rolls the transaction back)."""
    tables = {table.name: table for table in TABLES}
    counts = {table.name: 0 for table in TABLES}
    batch: list[dict[str, Any]] = []
    current: Table | None = None
    for number, raw in numbered:
        if not raw.strip():
            continue
        values = _parsed(number, raw)
        if "end" in values:
            if current is not None and batch:
                await conn.execute(current.insert(), batch)
            _check_end(number, values["end"], counts, numbered)
            return Counts(counts)
        table = tables.get(values.get("table", ""))
        if table is None or not isinstance(values.get("row"), dict):
            raise BackupError(f"line {number}: not a row of a known table")
        if table is not current or len(batch) >= BATCH:
            if current is not None and batch:
                await conn.execute(current.insert(), batch)
            batch, current = [], table
        batch.append(_imported(number, table, values["row"]))
        counts[table.name] += 1
    raise BackupError("the file ends early: its last line, with the row counts, is missing")


def _check_end(
    number: int, ended: Any, counts: dict[str, int], rest: Iterator[tuple[int, str]]
) -> None:
    if not isinstance(ended, dict) or {n: ended.get(n, 0) for n in counts} != counts:
        raise BackupError(
            f"line {number}: the rows read ({Counts(counts)}) are not the rows the last line "
            f"counts: the file was changed or cut"
        )
    for later, raw in rest:
        if raw.strip():
            raise BackupError(f"line {later}: more after the last line")


def _parsed(number: int, raw: str) -> dict[str, Any]:
    try:
        values = json.loads(raw)
    except ValueError as exc:
        raise BackupError(f"line {number}: not JSON ({exc})") from exc
    if not isinstance(values, dict):
        raise BackupError(f"line {number}: not a JSON object")
    return values


def _imported(number: int, table: Table, row: dict[str, Any]) -> dict[str, Any]:
    """The row with each value checked against its column, and times read back."""
    names = set(table.columns.keys())
    if unknown := sorted(set(row) - names):
        raise BackupError(f"line {number}: {table.name} has no column {', '.join(unknown)}")
    if missing := sorted(names - set(row)):
        raise BackupError(f"line {number}: {table.name} lacks {', '.join(missing)}")
    return {name: _value(number, table.c[name], value) for name, value in row.items()}


def _value(number: int, column: Column[Any], value: Any) -> Any:
    if value is None:
        if not column.nullable:
            raise BackupError(f"line {number}: {column.table.name}.{column.name} is empty")
        return None
    kind = column.type
    if isinstance(kind, UTCDateTime):
        try:
            at = datetime.fromisoformat(str(value))
        except ValueError:
            at = None
        if at is None or at.tzinfo is None:
            raise BackupError(
                f"line {number}: {column.table.name}.{column.name} is not a time with its UTC "
                f"offset: {value!r}"
            )
        return at
    expected: tuple[type, ...] = (
        (bool,)
        if isinstance(kind, Boolean)
        else (int,)
        if isinstance(kind, Integer)
        else (int, float)
        if isinstance(kind, Float)
        else (str,)
        if isinstance(kind, String | Text)
        else (object,)
    )
    wrong_bool = isinstance(value, bool) and bool not in expected
    if not isinstance(value, expected) or wrong_bool:
        raise BackupError(
            f"line {number}: {column.table.name}.{column.name} should be "
            f"{' or '.join(t.__name__ for t in expected)}, not {value!r}"
        )
    return value


async def _continue_sequences(conn: AsyncConnection) -> None:
    """PostgreSQL hands out ids from a sequence that an insert with its own ids doesn't move:
    set each to continue after the highest id imported."""
    for table in TABLES:
        [key] = table.primary_key.columns
        if not isinstance(key.type, Integer) or key.autoincrement is False:
            continue
        await conn.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', '{key.name}'), "
                f"COALESCE((SELECT MAX({key.name}) FROM {table.name}), 0) + 1, false)"
            )
        )


async def _rows_held(db: Database) -> Counts:
    """How many rows each of firstline's tables holds (none where there are no tables yet)."""
    where = _shown(db.url)
    try:
        async with db.engine.connect() as conn:
            present = set(await conn.run_sync(lambda sync: inspect(sync).get_table_names()))
            counts = {}
            for table in TABLES:
                if table.name in present:
                    counts[table.name] = await conn.scalar(select(func.count()).select_from(table))
    except (SQLAlchemyError, OSError) as exc:
        raise BackupError(f"can't use the database {where}: {_reason(exc)}") from exc
    return Counts({name: n or 0 for name, n in counts.items()})


async def _revision(conn: AsyncConnection) -> str | None:
    present = await conn.run_sync(lambda sync: inspect(sync).get_table_names())
    if "alembic_version" not in present:
        return None
    return await conn.scalar(text("SELECT version_num FROM alembic_version"))


def _shown(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def _reason(exc: BaseException) -> str:
    reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    return reason[0] if reason else type(exc).__name__
