"""Engines for the write side: SQLite (embedded default) or PostgreSQL (asyncpg)."""

import functools
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, overload

import structlog
from sqlalchemy import BigInteger, Column, Integer, MetaData, Table, event, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.sql.dml import Insert

from logistics_platform.shared.infrastructure.persistence import sqlite_driver

log = structlog.get_logger(__name__)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

# Auto-incrementing 64-bit keys on PostgreSQL; SQLite only auto-increments INTEGER keys.
BigSerial = BigInteger().with_variant(Integer(), "sqlite")

_DRIVERS = {
    "sqlite": "sqlite+aiosqlite",
    "postgresql": "postgresql+asyncpg",
    "postgres": "postgresql+asyncpg",
}


def async_database_url(url: str) -> str:
    """Accept the usual spellings (``postgres://``, ``postgresql://``, ``sqlite:///``) and
    name the async driver we use for each."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ValueError(f"DATABASE_URL is not a database URL: {url!r}") from None
    backend = parsed.get_backend_name()
    if backend not in _DRIVERS:
        raise ValueError(f"unsupported database {backend!r}: use sqlite or postgresql")
    return parsed.set(drivername=_DRIVERS[backend]).render_as_string(hide_password=False)


def in_memory(url: str) -> bool:
    """Whether ``url`` names an SQLite database in memory, which only its process sees."""
    parsed = make_url(url)
    return parsed.get_backend_name() == "sqlite" and parsed.database in (None, "", ":memory:")


def is_sqlite(engine: AsyncEngine | AsyncConnection) -> bool:
    return engine.dialect.name == "sqlite"


@overload
def as_utc(moment: datetime) -> datetime: ...
@overload
def as_utc(moment: None) -> None: ...
def as_utc(moment: datetime | None) -> datetime | None:
    """A moment read back from the database, in UTC: SQLite keeps no zone, and what the
    platform writes is UTC (astimezone would take a zoneless moment for local time)."""
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def create_engine(url: str, *, pool_size: int = 20, echo: bool = False) -> AsyncEngine:
    """An engine for ``url``.

    SQLite allows one writer at a time and its busy handler waits by sleeping (up to
    100 ms a try), which wrecks tail latency. So the process shares one connection,
    queueing transactions in the event loop instead, and a transaction takes the write
    lock with ``BEGIN IMMEDIATE`` before its first write, so that another process writing
    the file makes it wait, never fail (but those of a :func:`reader`, which only read).
    """
    url = async_database_url(url)
    if url.startswith("sqlite"):
        path = make_url(url).database or ":memory:"
        if not in_memory(url):  # a fresh checkout has no ./var yet
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(
            url,
            echo=echo,
            async_creator=lambda: sqlite_driver.Connection.to(path),
            pool_size=1,
            max_overflow=0,
        )
        _configure_sqlite(engine)
        return engine
    # No pre-ping: it costs a round trip per transaction. A connection found dead
    # invalidates the pool, and the edge answers that one request with 503. No overflow:
    # overflow connections are closed as soon as they are returned, so a load above the
    # pool size would open (and prepare statements on) a connection per transaction.
    return create_async_engine(
        url, echo=echo, pool_size=pool_size, max_overflow=0, pool_recycle=1800
    )


async def answers(engine: AsyncEngine) -> bool:
    """Whether the database answers a query (readiness and health checks); raises if not."""
    async with engine.connect() as connection:
        await connection.execute(text("SELECT 1"))
    return True


async def warn_if_autovacuum_is_off(engine: AsyncEngine) -> bool:
    """Log a warning if this PostgreSQL server runs without autovacuum; says whether it
    did (never on SQLite, nor when the server cannot be asked yet).

    Without it, nothing analyses the tables as they grow: the planner keeps taking them
    for the empty tables it first saw and scans them whole where an index lookup was
    meant, and updated rows (published outbox rows, views) are never reclaimed."""
    if engine.dialect.name != "postgresql":
        return False
    try:
        async with engine.connect() as connection:
            setting = await connection.scalar(text("SELECT current_setting('autovacuum')"))
    except (OSError, DBAPIError):  # unreachable: readiness reports it
        return False
    if setting == "on":
        return False
    log.warning(
        "PostgreSQL runs with autovacuum off: tables are never analysed, so queries slow"
        " down as they grow; turn it on (PostgreSQL's default) or ANALYZE regularly"
    )
    return True


def _configure_sqlite(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for pragma in (
            "journal_mode=WAL",
            "synchronous=NORMAL",
            "busy_timeout=0",  # see sqlite_driver: waits happen in its thread
            "foreign_keys=ON",
        ):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    @event.listens_for(engine.sync_engine, "before_cursor_execute")
    def _lock_before_writing(
        connection: Any, cursor: Any, statement: str, _parameters: Any, context: Any, _many: bool
    ) -> None:
        # A transaction takes the write lock at its first write (or locking read), not
        # when it begins: what it reads and works out before, it does while the other
        # process writes (ADR 0015). Those reads see the latest commit each, as under
        # PostgreSQL's read committed, so what they decide is checked when written
        # (versions, unique keys); a reader() connection never takes the lock.
        if connection.get_execution_options().get(_READ_ONLY) or _reads(statement, context):
            return
        if not connection.connection.driver_connection.in_transaction:
            cursor.execute("BEGIN IMMEDIATE")


_READ_ONLY = "logistics_read_only"


def _reads(statement: str, context: Any) -> bool:
    """Whether a statement only reads, without asking for locks (``FOR UPDATE``, which
    SQLite does not render, is taken for a write)."""
    if statement.lstrip()[:6].upper() != "SELECT":
        return False
    compiled = getattr(context, "compiled", None)
    return getattr(getattr(compiled, "statement", None), "_for_update_arg", None) is None


def reader(engine: AsyncEngine) -> AsyncEngine:
    """``engine`` for connections that only read. On SQLite their statements run without
    ``BEGIN IMMEDIATE``, so they neither take the write lock nor wait for it; each sees
    what was committed when it ran, as a statement on PostgreSQL (read committed) does."""
    return engine.execution_options(**{_READ_ONLY: True})


def insert_ignoring_duplicates(
    connection: AsyncConnection, table: Table, *, returning: Column[Any] | None = None
) -> Insert:
    """``INSERT ... ON CONFLICT DO NOTHING`` in the connection's dialect; with
    ``returning``, it answers that column of the rows it did insert."""
    return _insert_ignoring_duplicates(connection.dialect.name, table, returning)


@functools.cache
def _insert_ignoring_duplicates(
    dialect: str, table: Table, returning: Column[Any] | None
) -> Insert:
    # Built once per table: a reused statement skips SQLAlchemy's cache-key work.
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(table).on_conflict_do_nothing()
    return statement if returning is None else statement.returning(returning)
