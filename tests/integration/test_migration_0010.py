"""Migration 0010: views stored before learn their warehouse, and the catalog's stock
starts from the event log, each event counted once whether handled before or after."""

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from logistics_platform.backoffice.domain.stock_figures import StockUnits
from logistics_platform.backoffice.infrastructure.sql_store import SqlTrackingStore
from logistics_platform.shared.infrastructure.persistence import migrations, outbox
from logistics_platform.shared.infrastructure.persistence.database import create_engine
from tests.integration.revisions import downgrade
from tests.mothers.backoffice import (
    backoffice_subscribers,
    reservation_changed,
    stock_item_added,
    stock_item_reserved,
)

KNOWN = "550e8400-e29b-41d4-a716-446655440000"  # its added event was handled before
PENDING = "550e8400-e29b-41d4-a716-446655440001"  # its added event was not, yet
CATALOG = "backoffice.catalog_on_stock_item_added"


async def test_views_learn_their_warehouse_and_stock_counts_each_event_once(
    database_url: str,
) -> None:
    events = [
        stock_item_added(KNOWN, "Drone", quantity=100, warehouse="BER-1"),
        stock_item_reserved(KNOWN, "o-1", quantity=10),
        reservation_changed("committed", KNOWN, "o-1", quantity=10),
        stock_item_reserved(KNOWN, "o-2", quantity=5),
        stock_item_added(PENDING, "Phone", quantity=7),
    ]
    engine = create_engine(database_url)
    try:
        await migrations.upgrade(engine, "0009")
        async with engine.begin() as connection:
            await outbox.append(connection, events)
            await _as_at_0009(connection, handled_added=events[0].event_id)
        await migrations.upgrade(engine)

        store = SqlTrackingStore(engine)
        view = await store.queries.find("o-1")
        assert view is not None
        assert view.warehouse == "BER-1"
        known = await store.queries.stock_item(KNOWN)
        assert known is not None
        assert known.stock == StockUnits(available=85, reserved=5, shipped=10)
        assert await store.queries.stock_item(PENDING) is None

        for subscriber in backoffice_subscribers(store.unit_of_work):  # delivered (again)
            await subscriber.deliver_all([e for e in events if e.name in subscriber.events])
        assert await store.queries.stock_item(KNOWN) == known
        pending = await store.queries.stock_item(PENDING)
        assert pending is not None
        assert pending.stock == StockUnits(available=7)

        await downgrade(engine, "0009")
        async with engine.connect() as connection:
            claims = await connection.scalar(
                text("SELECT count(*) FROM processed_events WHERE subscriber = :s"), {"s": CATALOG}
            )
        assert claims == 2  # the two added events, as before the migration
    finally:
        await engine.dispose()


async def _as_at_0009(connection: AsyncConnection, *, handled_added: str) -> None:
    """The catalog knew the first item; a view of it was stored (columns of 0009)."""
    execute = connection.execute
    await execute(
        text(
            "INSERT INTO backoffice_stock_item_names (stock_item_id, name, warehouse)"
            " VALUES (:id, 'Drone', 'BER-1')"
        ),
        {"id": KNOWN},
    )
    await execute(
        text("INSERT INTO processed_events (subscriber, event_id) VALUES (:s, :e)"),
        {"s": CATALOG, "e": handled_added},
    )
    await execute(
        text(
            "INSERT INTO backoffice_tracking_views (reservation_id, stock_item_id,"
            " stock_item_name, status, timeline, version)"
            " VALUES ('o-1', :id, 'Drone', 'reserved', '[]', 1)"
        ),
        {"id": KNOWN},
    )
