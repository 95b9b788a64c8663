"""On SQLite a transaction takes the file's one write lock at its first write, not when it
begins: what it reads and works out before, it does while another process writes. What it
decided on those reads is checked when it writes (here: the records of handled events)."""

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import Column, MetaData, String, Table, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from logistics_platform.bootstrap import Platform, bootstrap
from logistics_platform.config import Settings
from logistics_platform.logistics.infrastructure.unit_of_work import SqlLogisticsUnitOfWork
from logistics_platform.shared.application.envelope import EventEnvelope
from logistics_platform.shared.infrastructure.persistence import outbox
from logistics_platform.shared.infrastructure.persistence.database import create_engine, reader
from tests.integration.delivery import RESERVED, Handler, reserve, subscriber

notes = Table("notes", MetaData(), Column("body", String))


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(f"sqlite:///{tmp_path / 'lock.db'}")
    async with engine.begin() as connection:
        await connection.execute(text("CREATE TABLE notes (body TEXT)"))
    yield engine
    await engine.dispose()


def another_process_writes(engine: AsyncEngine) -> None:
    """A write on a connection of its own that does not wait: it fails at once if the file
    is locked."""
    connection = sqlite3.connect(engine.url.database or "", timeout=0, isolation_level=None)
    try:
        connection.execute("BEGIN IMMEDIATE")
        connection.execute("INSERT INTO notes (body) VALUES ('theirs')")
        connection.execute("COMMIT")
    finally:
        connection.close()


async def bodies(engine: AsyncEngine) -> list[str]:
    async with reader(engine).connect() as connection:
        return list((await connection.scalars(select(notes.c.body).order_by("body"))).all())


async def test_a_transaction_that_has_only_read_leaves_the_file_to_other_writers(
    engine: AsyncEngine,
) -> None:
    async with engine.begin() as connection:
        assert (await connection.scalars(select(notes.c.body))).all() == []
        another_process_writes(engine)
        # Reads see the latest commit, as under PostgreSQL's read committed.
        assert (await connection.scalars(select(notes.c.body))).all() == ["theirs"]
        await connection.execute(notes.insert().values(body="ours"))
    assert await bodies(engine) == ["ours", "theirs"]


async def test_a_transaction_holds_the_lock_from_its_first_write_to_its_end(
    engine: AsyncEngine,
) -> None:
    async with engine.begin() as connection:
        await connection.execute(notes.insert().values(body="ours"))
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            another_process_writes(engine)
        await connection.execute(select(notes.c.body))
    another_process_writes(engine)
    assert await bodies(engine) == ["ours", "theirs"]


async def test_a_locking_read_takes_the_lock(engine: AsyncEngine) -> None:
    async with engine.begin() as connection:
        await connection.execute(select(notes.c.body).with_for_update())
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            another_process_writes(engine)


async def test_a_transaction_that_never_writes_never_takes_the_lock(engine: AsyncEngine) -> None:
    async with engine.begin() as connection:
        await connection.execute(select(notes.c.body))
        another_process_writes(engine)
    assert await bodies(engine) == ["theirs"]


@pytest.fixture
async def two_processes(sqlite_url: str) -> AsyncIterator[tuple[Platform, Platform]]:
    """Two platforms on one file, as the APIs' process and the delivery process of
    ``serve``: an engine (and its one connection) each."""
    first = await bootstrap(Settings(database_url=sqlite_url, rabbitmq_url=None), migrate=True)
    second = await bootstrap(Settings(database_url=sqlite_url, rabbitmq_url=None), migrate=False)
    try:
        yield first, second
    finally:
        await second.close()
        await first.close()


async def test_an_event_handled_by_two_processes_at_once_is_handled_once(
    two_processes: tuple[Platform, Platform],
) -> None:
    """Each reads that the event is not handled yet, and handles it. The one that writes
    second finds the other's record, rolls back, and tries again: it was handled."""
    first, second = two_processes
    async with first.engine.begin() as connection:
        await connection.execute(text("CREATE TABLE handlings (event_id TEXT, by TEXT)"))
    (reservation,) = await reserve(first, 1)
    slow_is_handling, fast_committed = asyncio.Event(), asyncio.Event()
    calls = []

    def handler(by: str, gate: asyncio.Event | None) -> Handler:
        async def handle(event: EventEnvelope, uow: SqlLogisticsUnitOfWork) -> None:
            calls.append(by)
            if gate is not None and len(calls) == 1:
                slow_is_handling.set()
                await gate.wait()  # before writing: it holds no lock while it waits
            statement = text("INSERT INTO handlings VALUES (:event, :by)")
            await uow.connection.execute(statement, {"event": event.event_id, "by": by})

        return handle

    async with reader(first.engine).connect() as connection:
        (recorded,) = await outbox.read(connection, names=RESERVED)
    event = recorded.envelope
    assert event.attributes["reservationId"] == reservation
    slow = subscriber(first, "test.once", handler("slow", fast_committed))
    fast = subscriber(second, "test.once", handler("fast", None))
    slow_delivery = asyncio.create_task(slow.deliver_all([event]))
    await asyncio.wait_for(slow_is_handling.wait(), 10)
    assert await fast.deliver_all([event]) is False  # it handled it, and committed
    fast_committed.set()
    await asyncio.wait_for(slow_delivery, 10)
    async with reader(first.engine).connect() as connection:
        handlings = (await connection.execute(text("SELECT by FROM handlings"))).all()
    assert [row.by for row in handlings] == ["fast"]
    assert calls == ["slow", "fast"]  # and the slow one's second attempt found it handled
