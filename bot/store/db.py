"""The async engine, sessions, and migrations applied in-process with Alembic."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.pool import NullPool

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
MIGRATION_LOCK = 0x46494D4947524154  # "FIMIGRAT": PostgreSQL's advisory lock while migrating
MIGRATION_WAIT_MS = 120_000  # how long a process waits on SQLite for another's migrations


class DatabaseUnavailable(Exception):
    """The database can't be reached or set up; the message says which one and why."""


class Database:
    def __init__(self, url: str, *, echo: bool = False, connections: int = 5) -> None:
        """`connections`: how many a server database keeps open (the work done at once); each
        is checked before use, so a database that restarted is used again at once."""
        self.url = url
        if self.is_sqlite:
            # One connection, so the process's writes take turns in order: SQLite lets one
            # writer at a time, and writers on separate connections wait on the file lock (up
            # to the busy timeout) or fail at once when a read turns into a write.
            in_memory = make_url(url).database in (None, "", ":memory:")  # one connection already
            one: dict[str, Any] = (
                {} if in_memory else {"pool_size": 1, "max_overflow": 0, "pool_timeout": 60}
            )
            self.engine: AsyncEngine = create_async_engine(url, echo=echo, **one)
            event.listen(self.engine.sync_engine, "connect", _sqlite_pragmas)
        else:
            self.engine = create_async_engine(
                url, echo=echo, pool_pre_ping=True, pool_size=connections, max_overflow=10
            )
        self.session = async_sessionmaker(self.engine, expire_on_commit=False)

    @property
    def is_sqlite(self) -> bool:
        return self.url.startswith("sqlite")

    async def upgrade(self) -> None:
        """Apply all pending migrations (idempotent). A database that has them all is left
        alone without loading Alembic, which would stay in memory for nothing.

        Processes starting together on a new database (the web and the worker of `docker
        compose up`) migrate it one after the other: the migrations run in one transaction
        that first takes a lock (an advisory lock on PostgreSQL, the write lock on SQLite), and
        the next one in finds nothing left to do."""
        self._check_sqlite_folder()
        if await self._at_head():
            return
        engine = self._migrating_engine()
        try:
            async with engine.begin() as conn:
                if not self.is_sqlite:
                    await conn.execute(
                        text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK}
                    )
                await conn.run_sync(_upgrade)
        except (SQLAlchemyError, OSError) as exc:
            where = make_url(self.url).render_as_string(hide_password=True)
            reason = getattr(exc, "orig", None) or exc
            raise DatabaseUnavailable(f"cannot use the database {where}: {reason}") from exc
        finally:
            if engine is not self.engine:
                await engine.dispose()

    def _migrating_engine(self) -> AsyncEngine:
        """The engine to migrate with. On a SQLite file, one of its own whose transactions
        start with BEGIN IMMEDIATE (the driver would otherwise run the DDL outside any
        transaction): the migrations then take the write lock, and run all or not at all."""
        if not self.is_sqlite or make_url(self.url).database in (None, "", ":memory:"):
            return self.engine
        engine = create_async_engine(self.url, poolclass=NullPool)
        event.listen(engine.sync_engine, "connect", _sqlite_migrating)
        event.listen(engine.sync_engine, "begin", _begin_immediate)
        return engine

    async def _at_head(self) -> bool:
        try:
            async with self.engine.connect() as conn:
                version = await conn.scalar(text("SELECT version_num FROM alembic_version"))
        except (SQLAlchemyError, OSError):
            return False  # no database or no migrations yet: Alembic says which
        return version == head_revision()

    async def ping(self) -> bool:
        """Whether the database answers right now (for health checks)."""
        try:
            async with self.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
        except (SQLAlchemyError, OSError):
            return False
        return True

    def _check_sqlite_folder(self) -> None:
        """Fail early and clearly on a missing folder (aiosqlite's own failure is noisy)."""
        database = make_url(self.url).database
        if self.is_sqlite and database and database != ":memory:":
            folder = Path(database).expanduser().resolve().parent
            if not folder.is_dir():
                raise DatabaseUnavailable(
                    f"cannot use the database {self.url}: the folder {folder} does not exist"
                )

    async def close(self) -> None:
        await self.engine.dispose()


def head_revision() -> str:
    """The newest migration's revision id (each file is named by its own: `0011_….py`)."""
    return max(p.name.split("_", 1)[0] for p in (MIGRATIONS / "versions").glob("[0-9]*_*.py"))


def alembic_config(connection: Connection | None = None) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def _upgrade(connection: Connection) -> None:
    from alembic import command

    command.upgrade(alembic_config(connection), "head")


def _sqlite_migrating(dbapi_connection: Any, record: object) -> None:
    dbapi_connection.isolation_level = None  # `_begin_immediate` starts the transaction
    _sqlite_pragmas(dbapi_connection, record)
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout={MIGRATION_WAIT_MS}")
    cursor.close()


def _begin_immediate(conn: Connection) -> None:
    conn.exec_driver_sql("BEGIN IMMEDIATE")


def _sqlite_pragmas(dbapi_connection: Any, _record: object) -> None:
    """WAL and a busy timeout, so the HTTP server and a CLI command can share the file."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()
