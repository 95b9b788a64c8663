"""Migration 0005 on a database with stock: existing items and reservations carry on."""

import asyncio

from sqlalchemy import text

from logistics_platform.bootstrap import bootstrap
from logistics_platform.config import Settings
from logistics_platform.inventory.application.commands import ReplenishStock
from logistics_platform.shared.infrastructure.persistence import migrations
from logistics_platform.shared.infrastructure.persistence.database import create_engine
from tests.mothers.inventory import an_add_stock_item

ITEM = "550e8400-e29b-41d4-a716-446655440000"


async def test_existing_stock_lands_in_main_and_reservations_stay_held(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        await migrations.upgrade(engine, "0004")
        async with engine.begin() as connection:
            await connection.execute(
                text(
                    "INSERT INTO inventory_stock_items (id, name, available, reserved, version)"
                    f" VALUES ('{ITEM}', 'Pixel', 6, 4, 3)"
                )
            )
            await connection.execute(
                text(
                    "INSERT INTO inventory_reservations (reservation_id, stock_item_id, quantity)"
                    f" VALUES ('order-old', '{ITEM}', 4)"
                )
            )
        await migrations.upgrade(engine)
    finally:
        await engine.dispose()
    platform = await bootstrap(Settings(database_url=database_url), migrate=False, read_store=False)
    try:
        item = await platform.stock_items.find(ITEM)
        reservation = await platform.stock_items.reservation("order-old")
    finally:
        await platform.close()
    assert item is not None
    assert (item.warehouse, item.sku, item.low_stock_threshold, item.shipped) == (
        "MAIN",
        None,
        0,
        0,
    )
    assert reservation is not None
    assert (reservation.status, reservation.expires_at, reservation.restocked) == (
        "held",
        None,
        False,
    )


async def test_concurrent_bookings_of_one_receipt_add_its_units_once(database_url: str) -> None:
    settings = Settings(database_url=database_url, rabbitmq_url=None)
    platform = await bootstrap(settings, migrate=True, read_store=False)
    try:
        added = an_add_stock_item(quantity=10)
        await platform.commands.handle(added)
        receipt = ReplenishStock(added.id, 5, "dn-77")
        # The first command commits alone; the bookings queued meanwhile go in one batch.
        first = platform.commands.handle(an_add_stock_item())
        await asyncio.gather(first, *(platform.commands.handle(receipt) for _ in range(8)))
        item = await platform.stock_items.find(added.id)
    finally:
        await platform.close()
    assert item is not None
    assert (item.quantity, item.version) == (15, 1)
