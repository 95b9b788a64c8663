"""Inventory's reactions to package events and the reservation sweeper, on real databases
(SQLite file and PostgreSQL): redelivered, reordered and raced."""

import asyncio
import contextlib
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from logistics_platform.bootstrap import Platform, bootstrap
from logistics_platform.config import Settings
from logistics_platform.inventory.application.commands import ReleaseReservation
from logistics_platform.inventory.domain.records import ReservationAlreadyCommitted
from logistics_platform.shared.infrastructure.persistence.tables import outbox
from tests.mothers.inventory import a_package_event, a_reservation_of, an_add_stock_item

LATER = datetime.now(UTC) + timedelta(days=1)


async def reserved(
    platform: Platform, *, quantity: int = 4, ttl: int | None = None
) -> tuple[str, str]:
    added = an_add_stock_item(quantity=10)
    await platform.commands.handle(added)
    reservation = a_reservation_of(added.id, quantity=quantity, ttl_seconds=ttl)
    await platform.commands.handle(reservation)
    return added.id, reservation.reservation_id


async def deliver(platform: Platform, verb: str, reservation_id: str) -> None:
    event = a_package_event(verb, reservation_id)
    (subscriber,) = [s for s in platform.subscribers_of("inventory") if event.name in s.events]
    await subscriber.deliver(event)
    await subscriber.deliver(event)  # redelivered: handled once by its id


async def state(platform: Platform, item: str, reservation_id: str) -> tuple[Any, ...]:
    stock = await platform.stock_items.find(item)
    found = await platform.stock_items.reservation(reservation_id)
    assert stock is not None
    assert found is not None
    return (
        stock.quantity,
        stock.reserved,
        stock.shipped,
        found.status,
        found.restocked,
        found.problem,
    )


async def events_named(platform: Platform, name: str) -> int:
    async with platform.engine.connect() as connection:
        found = await connection.scalar(
            select(func.count()).select_from(outbox).where(outbox.c.name == name)
        )
    return int(found or 0)


async def test_dispatch_commits_and_return_restocks(platform: Platform) -> None:
    item, order = await reserved(platform)
    await deliver(platform, "dispatched", order)
    assert await state(platform, item, order) == (6, 0, 4, "committed", False, None)
    await deliver(platform, "dispatched", order)  # a second attempt
    await deliver(platform, "returned", order)
    assert await state(platform, item, order) == (10, 0, 0, "committed", True, None)
    assert await events_named(platform, "inventory.reservation.committed") == 1
    assert await events_named(platform, "inventory.stock_item.restocked") == 1
    with pytest.raises(ReservationAlreadyCommitted):
        await platform.commands.handle(ReleaseReservation(order))


async def test_a_return_before_the_dispatch_converges(platform: Platform) -> None:
    item, order = await reserved(platform)
    await deliver(platform, "returned", order)
    await deliver(platform, "dispatched", order)
    assert await state(platform, item, order) == (10, 0, 0, "committed", True, None)


async def test_a_cancelled_package_releases_its_reservation(platform: Platform) -> None:
    item, order = await reserved(platform)
    await deliver(platform, "cancelled", order)
    assert await state(platform, item, order) == (10, 0, 0, "released", False, None)


async def test_a_dispatch_after_the_release_is_refused_visibly(platform: Platform) -> None:
    item, order = await reserved(platform)
    await platform.commands.handle(ReleaseReservation(order))
    await deliver(platform, "dispatched", order)
    await deliver(platform, "dispatched", order)
    assert await state(platform, item, order) == (10, 0, 0, "released", False, "commit_refused")
    assert await events_named(platform, "inventory.reservation.commit_refused") == 1


async def test_a_release_racing_a_dispatch_ends_in_one_consistent_state(platform: Platform) -> None:
    item, order = await reserved(platform)

    async def release() -> None:
        with contextlib.suppress(ReservationAlreadyCommitted):
            await platform.commands.handle(ReleaseReservation(order))

    await asyncio.gather(release(), deliver(platform, "dispatched", order))
    quantity, held, shipped, status, _, problem = await state(platform, item, order)
    assert quantity + held + shipped == 10
    assert (status, problem) in {("committed", None), ("released", "commit_refused")}


async def test_two_sweepers_racing_expire_a_reservation_once(postgres_url: str) -> None:
    settings = Settings(database_url=postgres_url, rabbitmq_url=None)
    first = await bootstrap(settings, migrate=True, read_store=False)
    second = await bootstrap(settings, migrate=False, read_store=False)
    try:
        orders = [await reserved(first, quantity=1, ttl=60) for _ in range(5)]
        sweepers = [first.reservation_sweeper(), second.reservation_sweeper()]
        await asyncio.gather(*(s.sweep(now=LATER) for s in sweepers))
        assert await events_named(first, "inventory.reservation.expired") == 5
        for item, order in orders:
            assert await state(first, item, order) == (10, 0, 0, "expired", False, None)
        assert await sweepers[0].sweep(now=LATER) == 0
    finally:
        await first.close()
        await second.close()
