"""aiosqlite, used only when SQLite makes us wait.

A statement on a local SQLite file takes microseconds, less than a trip to aiosqlite's
thread and back (a queue, a thread woken, the event loop woken; and the GIL passed back
and forth). So every call here first runs in the event loop's thread with SQLite's busy
timeout at zero: it either runs at once or fails at once with ``SQLITE_BUSY`` (another
process holds the lock it needs). Only then does it go to the thread, which waits for
the lock there, trying again every tenth of a millisecond, while the event loop goes on.
A statement that failed busy did nothing, so running it again is safe, a
``BEGIN IMMEDIATE`` or a ``COMMIT`` included. A caller cancelled while the thread waits
gets its cancellation only once the thread is done with the connection.

The process shares one connection (see ``database.create_engine``), so the loop and the
thread never use it at the same time. Rows come back all at once, even for a server-side
cursor (nothing here streams). Why, and what it costs: docs/adr/0013.
"""

import asyncio
import collections
import contextlib
import functools
import sqlite3
import time
from collections.abc import Callable, Iterable
from typing import Any

import aiosqlite
from aiosqlite.context import contextmanager

BUSY_TIMEOUT_MS = 30_000
_BUSY_RETRY_SECONDS = 0.0001


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
            if not _busy(error):
                raise
        waiting = asyncio.ensure_future(
            super()._execute(_waiting, functools.partial(fn, *args, **kwargs))  # type: ignore[no-untyped-call]
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


def _waiting(call: Callable[[], Any]) -> Any:
    """In aiosqlite's thread: ``call``, tried again every tenth of a millisecond while
    another process holds the lock it needs, for up to ``BUSY_TIMEOUT_MS``. Not SQLite's
    own busy handler: it sleeps 1, 2, 5… up to 100 ms a try, and two processes writing
    in turns (``serve``'s APIs and its event delivery) would spend most of their time
    asleep."""
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            return call()
        except sqlite3.OperationalError as error:
            if not _busy(error) or time.monotonic() > deadline:
                raise
        time.sleep(_BUSY_RETRY_SECONDS)


def _busy(error: sqlite3.OperationalError) -> bool:
    return error.sqlite_errorcode & 0xFF == sqlite3.SQLITE_BUSY


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
