"""The SQLite driver runs statements in the event loop and waits for a lock held by
another process in its thread, so a locked file never stalls the loop."""

import asyncio
import sqlite3
import threading
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from logistics_platform.shared.infrastructure.persistence.database import create_engine, reader


def hold_write_lock(path: Path, released: threading.Event) -> threading.Thread:
    """Another writer: takes the file's write lock and keeps it until ``released``."""
    locked = threading.Event()

    def run() -> None:
        connection = sqlite3.connect(path, isolation_level=None)
        connection.execute("BEGIN IMMEDIATE")
        connection.execute("INSERT INTO notes (body) VALUES ('theirs')")
        locked.set()
        released.wait()
        connection.execute("COMMIT")
        connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    assert locked.wait(5)
    return thread


@pytest.fixture
async def notes(tmp_path: Path) -> AsyncIterator[tuple[AsyncEngine, Path]]:
    """An engine on a fresh file with a table ``notes``, and the file."""
    path = tmp_path / "driver.db"
    engine = create_engine(f"sqlite:///{path}")
    async with engine.begin() as connection:
        await connection.execute(text("CREATE TABLE notes (body TEXT)"))
    yield engine, path
    await engine.dispose()


async def bodies(engine: AsyncEngine) -> list[str]:
    async with reader(engine).connect() as connection:
        return list((await connection.scalars(text("SELECT body FROM notes ORDER BY body"))).all())


async def test_a_write_waits_for_another_writer_without_stalling_the_loop(
    notes: tuple[AsyncEngine, Path],
) -> None:
    engine, path = notes
    released = threading.Event()
    other = hold_write_lock(path, released)
    ticks = 0

    async def tick() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0.01)

    async def write() -> None:
        async with engine.begin() as connection:
            await connection.execute(text("INSERT INTO notes (body) VALUES ('ours')"))

    ticker = asyncio.create_task(tick())
    try:
        writing = asyncio.create_task(write())
        await asyncio.sleep(0.3)
        assert not writing.done()  # waiting for the lock...
        assert ticks >= 10  # ...while the loop goes on
        released.set()
        await asyncio.wait_for(writing, 10)
    finally:
        released.set()
        ticker.cancel()
        other.join()
    assert await bodies(engine) == ["ours", "theirs"]


async def test_a_write_cancelled_while_it_waits_for_the_lock_leaves_the_connection_usable(
    notes: tuple[AsyncEngine, Path],
) -> None:
    engine, path = notes
    released = threading.Event()
    other = hold_write_lock(path, released)

    async def write(body: str) -> None:
        async with engine.begin() as connection:
            await connection.execute(
                text("INSERT INTO notes (body) VALUES (:body)"), {"body": body}
            )

    try:
        cancelled = asyncio.create_task(write("cancelled"))
        await asyncio.sleep(0.3)  # waiting for the lock in the driver's thread
        cancelled.cancel()
        await asyncio.sleep(0.1)
        released.set()  # the thread gets the lock, and only then gives the connection back
        with pytest.raises(asyncio.CancelledError):
            await asyncio.wait_for(cancelled, 10)
    finally:
        released.set()
        other.join()
    await asyncio.wait_for(write("ours"), 10)
    assert await bodies(engine) == ["ours", "theirs"]
