"""In-process delivery running live while many transactions record events at once."""

import asyncio

from sqlalchemy import func, select

from logistics_platform.bootstrap import Platform
from logistics_platform.logistics.infrastructure.tables import packages
from tests.mothers.inventory import a_reservation_of, an_add_stock_item
from tests.waiting import eventually


async def test_every_event_is_delivered_while_writers_commit_concurrently(
    platform: Platform,
) -> None:
    """Subscribers follow the log by position while 120 reservations commit at once.
    (On PostgreSQL, appends take turns so that positions become visible in order; the
    window this closes is too narrow for this test to hit reliably without it.)"""
    assert platform.delivery is not None
    items = [an_add_stock_item(quantity=1_000) for _ in range(10)]
    for item in items:
        await platform.commands.handle(item)
    running = asyncio.create_task(platform.delivery.run())
    try:
        await asyncio.gather(
            *(
                platform.commands.handle(a_reservation_of(items[n % 10].id, quantity=1))
                for n in range(120)
            )
        )

        async def all_packed() -> bool:
            return await count_packages(platform) >= 120

        await eventually(all_packed, what="a package for each of the 120 reservations")
    finally:
        running.cancel()
        await asyncio.gather(running, return_exceptions=True)
    assert await count_packages(platform) == 120


async def count_packages(platform: Platform) -> int:
    async with platform.engine.connect() as connection:
        return int(await connection.scalar(select(func.count()).select_from(packages)) or 0)
