"""aiosqlite, used only when SQLite makes us wait.

A statement on a local SQLite file takes microseconds, less than a trip to aiosqlite's
thread and back (a queue, a thread woken, the event loop woken; and the GIL passed back
and forth). So every call here first runs in the event loop's thread with SQLite's busy
timeout at zero: it either runs at once or fails at once with ``SQLITE_BUSY`` (another
process holds the lock it needs). Only then does it go to the thread, which waits for
the lock there (``busy_timeout``) while the event loop goes on. A statement that failed
busy did nothing, so running it again is safe, a ``BEGIN IMMEDIATE`` or a ``COMMIT``
included. A caller cancelled while the thread waits gets its cancellation only once the
thread is done with the connection.

The process shares one connection (see ``database.create_engine``), so the loop and the
thread never use it at the same time. Rows come back all at once, even for a server-side
cursor (nothing here streams). Why, and what it costs: docs/adr/0013.
"""

import asyncio
import collections
import contextlib
import functools
import sqlite3
from collections.abc import Callable, Iterable
from typing import Any

import aiosqlite
from aiosqlite.context import contextmanager

BUSY_TIMEOUT_MS = 30_000


class Connection(aiosqlite.Connection):
    @classmethod
    def to(cls, path: str) -> "Connection":
        connect = functools.partial(sqlite3.connect, path, timeout=0, check_same_thread=False)
        connection = cls(connect, iter_chunk_size=64)
        connection._thread.daemon = True  # as SQLAlchemy does: never keeps the process alive
        return connection

    async def _execute(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        if self._connection is None:  # closed (or not open yet): aiosqlite says so
            return await super()._execute(fn, *args, **kwargs)  # type: ignore[no-untyped-call]
        try:
            return fn(*args, **kwargs)
        except sqlite3.OperationalError as error:
            if error.sqlite_errorcode & 0xFF != sqlite3.SQLITE_BUSY:
                raise
        waiting = asyncio.ensure_future(
            super()._execute(  # type: ignore[no-untyped-call]
                _waiting, self._connection, functools.partial(fn, *args, **kwargs)
            )
        )
        try:
            return await asyncio.shield(waiting)
        except asyncio.CancelledError:
            # The thread still uses the connection, and whoever cancelled is about to
            # roll back or close it: not before the thread is done (sqlite3 would crash).
            await _finished(waiting)
            raise

    @contextmanager
    async def cursor(self) -> aiosqlite.Cursor:
        return _Cursor(self)  # the cursor itself is made with the statement

    async def rollback(self) -> None:
        if self.in_transaction:
            await super().rollback()


async def _finished(waiting: "asyncio.Future[Any]") -> None:
    while not waiting.done():
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.shield(waiting)
    if not waiting.cancelled():
        waiting.exception()  # retrieved: the cancellation is what the caller gets


def _waiting(connection: sqlite3.Connection, call: Callable[[], Any]) -> Any:
    """In aiosqlite's thread: ``call``, waiting for SQLite's locks as long as it takes."""
    connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    try:
        return call()
    finally:
        connection.execute("PRAGMA busy_timeout = 0")


class _Cursor(aiosqlite.Cursor):
    def __init__(self, connection: Connection) -> None:
        super().__init__(connection, None)  # type: ignore[arg-type]  # set by execute
        self._rows: collections.deque[Any] = collections.deque()

    async def execute(self, sql: str, parameters: Iterable[Any] | None = None) -> "_Cursor":
        self._cursor, rows = await self._run(sql, parameters, many=False)
        self._rows = collections.deque(rows)
        return self

    async def executemany(self, sql: str, parameters: Iterable[Iterable[Any]]) -> "_Cursor":
        self._cursor, _ = await self._run(sql, parameters, many=True)
        return self

    async def _run(
        self, sql: str, parameters: Any, *, many: bool
    ) -> tuple[sqlite3.Cursor, list[Any]]:
        done: tuple[sqlite3.Cursor, list[Any]] = await self._execute(  # type: ignore[no-untyped-call]
            _run, self._conn._conn, sql, parameters, many
        )
        return done

    async def fetchone(self) -> Any:
        return self._rows.popleft() if self._rows else None

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        count = min(len(self._rows), size or self._cursor.arraysize)
        return [self._rows.popleft() for _ in range(count)]

    async def fetchall(self) -> list[Any]:
        rows, self._rows = list(self._rows), collections.deque()
        return rows

    async def close(self) -> None:
        self._rows.clear()  # the cursor was closed with its statement


def _run(
    connection: sqlite3.Connection, sql: str, parameters: Any, many: bool
) -> tuple[sqlite3.Cursor, list[Any]]:
    """A statement and, if it answers rows, all of them. The closed cursor keeps what the
    caller reads next (description, rowcount, lastrowid)."""
    cursor = connection.cursor()
    try:
        if many:
            cursor.executemany(sql, parameters)
        else:
            cursor.execute(sql, () if parameters is None else parameters)
        rows = cursor.fetchall() if cursor.description is not None else []
    finally:
        cursor.close()
    return cursor, rows
