"""aiosqlite, making one trip to its thread per statement.

Through SQLAlchemy, stock aiosqlite goes to its thread and back to create a cursor,
to execute, to fetch the rows and to close the cursor, and for a rollback even with no
transaction open (SQLAlchemy rolls back every connection handed back to the pool, and
every read's, committed or not). Each trip (a queue, a thread woken, the event loop
woken) costs more CPU than a statement on a local file. Here a statement is one trip:
the cursor is created, executed, its rows fetched and closed in the thread, together.
Everything that may wait on the file's locks still runs in the thread.

Rows come back all at once, even for a server-side cursor (nothing here streams).
"""

import collections
import functools
import sqlite3
from collections.abc import Iterable
from typing import Any

import aiosqlite
from aiosqlite.context import contextmanager


class Connection(aiosqlite.Connection):
    @classmethod
    def to(cls, path: str, **options: Any) -> "Connection":
        connection = cls(functools.partial(sqlite3.connect, path, **options), iter_chunk_size=64)
        connection._thread.daemon = True  # as SQLAlchemy does: never keeps the process alive
        return connection

    @contextmanager
    async def cursor(self) -> aiosqlite.Cursor:
        return _Cursor(self)  # the cursor itself is made with the statement, in the thread

    async def rollback(self) -> None:
        if self.in_transaction:
            await super().rollback()


class _Cursor(aiosqlite.Cursor):
    def __init__(self, connection: Connection) -> None:
        super().__init__(connection, None)  # type: ignore[arg-type]  # set by execute
        self._rows: collections.deque[Any] = collections.deque()

    async def execute(self, sql: str, parameters: Iterable[Any] | None = None) -> "_Cursor":
        self._cursor, rows = await self._in_thread(sql, parameters, many=False)
        self._rows = collections.deque(rows)
        return self

    async def executemany(self, sql: str, parameters: Iterable[Iterable[Any]]) -> "_Cursor":
        self._cursor, _ = await self._in_thread(sql, parameters, many=True)
        return self

    async def _in_thread(
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
        self._rows.clear()  # the cursor was closed in the thread


def _run(
    connection: sqlite3.Connection, sql: str, parameters: Any, many: bool
) -> tuple[sqlite3.Cursor, list[Any]]:
    """In aiosqlite's thread: a statement and, if it answers rows, all of them. The
    closed cursor keeps what the caller reads next (description, rowcount, lastrowid)."""
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
