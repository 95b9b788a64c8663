"""The SQL repository and unit of work on real databases (SQLite file and PostgreSQL)."""

import asyncio
import contextlib
from collections.abc import AsyncIterator

import asyncpg
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from logistics_platform.bootstrap import Platform, bootstrap
from logistics_platform.config import Settings
from logistics_platform.inventory.application.commands import ReserveStock
from logistics_platform.inventory.domain.stock_item import (
    InsufficientStock,
    Quantity,
    ReservationConflict,
    ReservationId,
    StockItem,
    StockItemAlreadyExists,
    StockItemId,
    StockItemNotFound,
)
from logistics_platform.inventory.infrastructure.unit_of_work import SqlInventoryUnitOfWork
from logistics_platform.logistics.infrastructure.tables import packages
from logistics_platform.shared.application.envelope import EventEnvelope
from logistics_platform.shared.application.unit_of_work import Causation
from logistics_platform.shared.domain.errors import ConcurrentModification
from logistics_platform.shared.infrastructure.persistence import migrations
from logistics_platform.shared.infrastructure.persistence.database import create_engine
from logistics_platform.shared.infrastructure.persistence.tables import outbox
from tests.mothers.inventory import a_reservation_of, a_stock_item, an_add_stock_item
from tests.waiting import eventually


async def count(platform: Platform, table: object, *where: object) -> int:
    async with platform.engine.connect() as connection:
        return int(
            await connection.scalar(select(func.count()).select_from(table).where(*where))  # type: ignore[arg-type]
            or 0
        )


async def test_an_added_item_is_stored_with_its_event_in_the_outbox(platform: Platform) -> None:
    command = an_add_stock_item(quantity=7, name="  Pixel 9  ")
    await platform.commands.handle(command)
    stored = await platform.stock_items.find(command.id)
    assert stored is not None
    assert (stored.name, stored.quantity, stored.reserved, stored.on_hand) == ("Pixel 9", 7, 0, 7)
    assert await count(platform, outbox, outbox.c.aggregate_id == command.id) == 1


async def test_the_same_id_twice_is_a_conflict_and_writes_nothing(platform: Platform) -> None:
    command = an_add_stock_item()
    await platform.commands.handle(command)
    with pytest.raises(StockItemAlreadyExists):
        await platform.commands.handle(command)
    assert await count(platform, outbox) == 1


async def test_a_refused_reservation_writes_nothing(platform: Platform) -> None:
    added = an_add_stock_item(quantity=3)
    await platform.commands.handle(added)
    with pytest.raises(InsufficientStock):
        await platform.commands.handle(a_reservation_of(added.id, quantity=4))
    stored = await platform.stock_items.find(added.id)
    assert stored is not None
    assert (stored.quantity, stored.reserved, stored.version) == (3, 0, 0)
    assert await count(platform, outbox) == 1


async def test_reserving_an_unknown_item_is_not_found(platform: Platform) -> None:
    with pytest.raises(StockItemNotFound):
        await platform.commands.handle(a_reservation_of("550e8400-e29b-41d4-a716-446655440000"))


async def test_a_reservation_id_belongs_to_one_item_only(platform: Platform) -> None:
    first, second = an_add_stock_item(), an_add_stock_item()
    await platform.commands.handle(first)
    await platform.commands.handle(second)
    await platform.commands.handle(a_reservation_of(first.id, reservation_id="order-1"))
    with pytest.raises(ReservationConflict):
        await platform.commands.handle(a_reservation_of(second.id, reservation_id="order-1"))


async def test_concurrent_reservations_never_oversell(platform: Platform) -> None:
    added = an_add_stock_item(quantity=20)
    await platform.commands.handle(added)

    async def reserve(n: int) -> bool:
        try:
            await platform.commands.handle(
                ReserveStock(stock_item_id=added.id, quantity=1, reservation_id=f"order-{n}")
            )
        except InsufficientStock:
            return False
        return True

    outcomes = await asyncio.gather(*(reserve(n) for n in range(50)))
    stored = await platform.stock_items.find(added.id)
    assert stored is not None
    assert sum(outcomes) == 20
    assert (stored.quantity, stored.reserved) == (0, 20)
    assert platform.delivery is not None
    await platform.delivery.catch_up()
    assert await count(platform, packages) == 20


async def test_concurrent_repeats_of_one_reservation_reserve_once(platform: Platform) -> None:
    added = an_add_stock_item(quantity=100)
    await platform.commands.handle(added)
    command = a_reservation_of(added.id, quantity=5)
    await asyncio.gather(*(platform.commands.handle(command) for _ in range(10)))
    stored = await platform.stock_items.find(added.id)
    assert stored is not None
    assert (stored.quantity, stored.reserved) == (95, 5)


async def test_a_save_over_a_stale_version_is_refused_and_writes_nothing(
    database_url: str,
) -> None:
    async with two_stock_items(database_url) as (engine, first, second):
        await reserved_meanwhile(engine, second.id, 1, "o-early")
        async with SqlInventoryUnitOfWork(engine) as late:
            fresh = await late.stock_items.get(first.id)
            stale = await late.stock_items.get(second.id)
            # Reads lock their rows, so a version gone stale under a read is simulated.
            stale.version -= 1
            fresh.reserve(Quantity(2), ReservationId("o-late-1"))
            stale.reserve(Quantity(3), ReservationId("o-late-2"))
            with pytest.raises(ConcurrentModification):
                await late.commit()
        assert await stock_of(engine, first.id, second.id) == {first.id: 10, second.id: 9}
        assert await reservations_among(engine, "o-early", "o-late-1", "o-late-2") == ["o-early"]


async def test_what_a_unit_of_work_wrote_is_gone_unless_it_commits(database_url: str) -> None:
    # On PostgreSQL the add goes through SQLAlchemy and the reservation straight to the
    # driver: both must be in the one transaction that is rolled back.
    engine = create_engine(database_url)
    try:
        await migrations.upgrade(engine)
        rolled_back = a_stock_item(available=10)
        async with SqlInventoryUnitOfWork(engine) as uow:
            await uow.stock_items.add(rolled_back)
            (await uow.stock_items.get(rolled_back.id)).reserve(Quantity(3), ReservationId("o-1"))
            await uow.stock_items.flush()
        item = StockItem.add(rolled_back.id, rolled_back.name, Quantity(10))
        async with SqlInventoryUnitOfWork(engine) as uow:
            with pytest.raises(StockItemNotFound):
                await uow.stock_items.get(item.id)
            await uow.stock_items.add(item)
            item.reserve(Quantity(3), ReservationId("o-1"))
            await uow.commit()
        async with SqlInventoryUnitOfWork(engine) as uow:
            stored = await uow.stock_items.get(item.id)
            reservation = await uow.stock_items.reservation(ReservationId("o-1"))
        # Added (version 0) and reserved (one change) in one transaction: version 1.
        assert (stored.available.value, stored.reserved.value, stored.version) == (7, 3, 1)
        assert reservation is not None
        assert reservation.quantity == Quantity(3)
    finally:
        await engine.dispose()


async def test_a_reservation_whose_caller_gives_up_while_it_waits_for_a_lock_commits_whole(
    postgres_url: str,
) -> None:
    # E.g. a client gone while its request waits for a hot item's row lock: once begun, a
    # transaction is seen through (its batch may hold others' requests), and no connection
    # is left in a transaction. A retry with the same reservation id finds it made.
    platform = await bootstrap(
        Settings(database_url=postgres_url, rabbitmq_url="amqp://x", db_pool_size=2),
        migrate=True,
    )
    try:
        added = an_add_stock_item(quantity=10)
        await platform.commands.handle(added)
        holder = await asyncpg.connect(postgres_url)
        holding = holder.transaction()
        await holding.start()
        await holder.execute(
            "SELECT 1 FROM inventory_stock_items WHERE id = $1 FOR UPDATE", added.id
        )
        waiting = asyncio.create_task(
            platform.commands.handle(a_reservation_of(added.id, quantity=4))
        )
        await eventually(
            lambda: _waiting_for_a_lock(postgres_url), what="the reservation to wait for the lock"
        )
        waiting.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiting
        await holding.rollback()
        # The later reservations wait for the row the abandoned one holds until it commits.
        await asyncio.gather(
            *(platform.commands.handle(a_reservation_of(added.id, quantity=1)) for _ in range(3))
        )
        in_transaction = await holder.fetchval(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
            " AND state LIKE 'idle in transaction%'"
        )
        await holder.close()
        stored = await platform.stock_items.find(added.id)
    finally:
        await platform.close()
    assert in_transaction == 0
    assert stored is not None
    assert (stored.quantity, stored.reserved) == (3, 7)


@contextlib.asynccontextmanager
async def two_stock_items(url: str) -> AsyncIterator[tuple[AsyncEngine, StockItem, StockItem]]:
    """A migrated database holding two stock items of 10 units each."""
    engine = create_engine(url)
    try:
        await migrations.upgrade(engine)
        first, second = a_stock_item(available=10), a_stock_item(available=10)
        async with SqlInventoryUnitOfWork(engine) as uow:
            await uow.stock_items.add(first)
            await uow.stock_items.add(second)
            await uow.commit()
        yield engine, first, second
    finally:
        await engine.dispose()


async def test_reservations_handled_together_are_stored_each_with_its_cause(
    database_url: str,
) -> None:
    platform = await bootstrap(Settings(database_url=database_url), migrate=True, read_store=False)
    try:
        first, second = an_add_stock_item(quantity=10), an_add_stock_item(quantity=10)
        await platform.commands.handle(first)
        await platform.commands.handle(second)
        asked = [
            (a_reservation_of(first.id, quantity=3, reservation_id="o-1"), Causation()),
            (a_reservation_of(second.id, quantity=11, reservation_id="o-2"), Causation()),
            (a_reservation_of(second.id, quantity=4, reservation_id="o-3"), Causation()),
            (a_reservation_of(first.id, quantity=5, reservation_id="o-4"), Causation()),
        ]

        outcomes = await asyncio.gather(
            *(platform.commands.handle(*request) for request in asked), return_exceptions=True
        )

        assert [type(outcome) for outcome in outcomes] == [
            type(None),
            InsufficientStock,
            type(None),
            type(None),
        ]
        engine = platform.engine
        ids = (StockItemId(first.id), StockItemId(second.id))
        assert await stock_of(engine, *ids) == dict(zip(ids, (2, 6), strict=True))
        assert await reservations_among(engine, "o-1", "o-2", "o-3", "o-4") == ["o-1", "o-3", "o-4"]
        async with engine.connect() as connection:
            rows = (
                await connection.execute(
                    select(outbox.c.envelope)
                    .where(outbox.c.name == "inventory.stock_item.reserved")
                    .order_by(outbox.c.position)
                )
            ).all()
        envelopes = [EventEnvelope.from_json(row.envelope) for row in rows]
        granted = [asked[n][1] for n in (0, 2, 3)]
        assert [e.attributes["reservationId"] for e in envelopes] == ["o-1", "o-3", "o-4"]
        assert [e.correlation_id for e in envelopes] == [c.correlation_id for c in granted]
    finally:
        await platform.close()


async def test_concurrent_reservations_share_transactions(postgres_url: str) -> None:
    # On PostgreSQL now() is the start of the transaction: the outbox rows recorded by one
    # transaction carry the same recorded_at.
    platform = await bootstrap(Settings(database_url=postgres_url, rabbitmq_url="amqp://x"))
    try:
        added = an_add_stock_item(quantity=1000)
        await platform.commands.handle(added)
        await asyncio.gather(
            *(platform.commands.handle(a_reservation_of(added.id, quantity=1)) for _ in range(60))
        )
        async with platform.engine.connect() as connection:
            transactions = await connection.scalar(
                select(func.count(outbox.c.recorded_at.distinct())).where(
                    outbox.c.name == "inventory.stock_item.reserved"
                )
            )
        stored = await platform.stock_items.find(added.id)
    finally:
        await platform.close()
    assert stored is not None
    assert (stored.quantity, stored.reserved) == (940, 60)
    assert transactions is not None
    assert transactions < 10


async def reserved_meanwhile(
    engine: AsyncEngine, item_id: StockItemId, quantity: int, reservation_id: str
) -> None:
    """Another writer reserves on the item and commits."""
    async with SqlInventoryUnitOfWork(engine) as early:
        current = await early.stock_items.get(item_id)
        current.reserve(Quantity(quantity), ReservationId(reservation_id))
        await early.commit()


async def stock_of(engine: AsyncEngine, *ids: StockItemId) -> dict[StockItemId, int]:
    """The units available of each item, as stored."""
    async with SqlInventoryUnitOfWork(engine) as uow:
        return {id: (await uow.stock_items.get(id)).available.value for id in ids}


async def reservations_among(engine: AsyncEngine, *reservation_ids: str) -> list[str]:
    """Those of ``reservation_ids`` that are stored."""
    async with SqlInventoryUnitOfWork(engine) as uow:
        found = [await uow.stock_items.reservation(ReservationId(id)) for id in reservation_ids]
    return [reservation.reservation_id.value for reservation in found if reservation]


async def _waiting_for_a_lock(postgres_url: str) -> bool:
    observer = await asyncpg.connect(postgres_url)
    try:
        waiting = await observer.fetchval(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
            " AND wait_event_type = 'Lock'"
        )
    finally:
        await observer.close()
    return bool(waiting)
