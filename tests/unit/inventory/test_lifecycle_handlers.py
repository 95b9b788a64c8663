"""Inventory's lifecycle commands through the command bus, on fakes of its ports."""

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from logistics_platform.inventory.application.commands import (
    AdjustStock,
    ExpireReservation,
    ReleaseReservation,
    ReplenishStock,
)
from logistics_platform.inventory.application.handlers import HANDLERS, load_stock_items
from logistics_platform.inventory.domain.events import (
    ReservationExpired,
    ReservationReleased,
    StockItemReplenished,
)
from logistics_platform.inventory.domain.records import (
    OperationConflict,
    ReservationNotFound,
    ReservationStatus,
)
from logistics_platform.inventory.domain.stock_item import SkuAlreadyUsed
from logistics_platform.inventory.domain.values import ReservationId, StockItemId
from logistics_platform.shared.application.command_bus import CommandBus
from logistics_platform.shared.domain.errors import InvalidArgument
from tests.fakes.inventory import FakeInventoryUnitOfWork
from tests.mothers.inventory import a_reservation_of, an_add_stock_item


def inventory(uow: FakeInventoryUnitOfWork) -> CommandBus[FakeInventoryUnitOfWork]:
    return CommandBus(dict(HANDLERS), lambda _c: uow, prepare=load_stock_items, concurrency=1)


async def with_item(uow: FakeInventoryUnitOfWork, quantity: int = 10) -> str:
    added = an_add_stock_item(quantity=quantity)
    await inventory(uow).handle(added)
    return added.id


async def test_a_reservation_with_a_ttl_expires_at_now_plus_the_ttl() -> None:
    uow = FakeInventoryUnitOfWork()
    item = await with_item(uow)
    before = datetime.now(UTC)
    await inventory(uow).handle(a_reservation_of(item, reservation_id="o-1", ttl_seconds=90))
    expires_at = uow.stock_items.reservations[ReservationId("o-1")].expires_at
    assert expires_at is not None
    assert before + timedelta(seconds=90) <= expires_at <= datetime.now(UTC) + timedelta(seconds=90)


@pytest.mark.parametrize("ttl", [0, -1, 2_592_001])
async def test_a_ttl_out_of_bounds_is_refused(ttl: int) -> None:
    uow = FakeInventoryUnitOfWork()
    item = await with_item(uow)
    with pytest.raises(InvalidArgument, match="ttlSeconds"):
        await inventory(uow).handle(a_reservation_of(item, ttl_seconds=ttl))


async def test_releasing_an_unknown_reservation_is_not_found() -> None:
    with pytest.raises(ReservationNotFound):
        await inventory(FakeInventoryUnitOfWork()).handle(ReleaseReservation("nobody"))


async def test_release_and_expiry_each_record_their_event_once() -> None:
    uow = FakeInventoryUnitOfWork()
    item = await with_item(uow)
    await inventory(uow).handle(a_reservation_of(item, quantity=3, reservation_id="o-1"))
    await inventory(uow).handle(
        a_reservation_of(item, quantity=2, reservation_id="o-2", ttl_seconds=5)
    )
    later = datetime.now(UTC) + timedelta(seconds=10)
    for _ in range(2):
        await inventory(uow).handle(ReleaseReservation("o-1", "customer"))
        await inventory(uow).handle(ExpireReservation("o-2", later))
    kinds = [
        type(e) for e in uow.published if isinstance(e, ReservationReleased | ReservationExpired)
    ]
    assert kinds == [ReservationReleased, ReservationExpired]
    stored = uow.stock_items.reservations
    assert stored[ReservationId("o-1")].status is ReservationStatus.RELEASED
    assert stored[ReservationId("o-2")].status is ReservationStatus.EXPIRED
    assert uow.stock_items.rows[StockItemId(item)][1:3] == (10, 0)


async def test_a_receipt_is_booked_once_and_its_id_not_reused() -> None:
    uow = FakeInventoryUnitOfWork()
    item = await with_item(uow)
    await inventory(uow).handle(ReplenishStock(item, 5, "dn-1"))
    await inventory(uow).handle(ReplenishStock(item, 5, "dn-1"))
    with pytest.raises(OperationConflict):
        await inventory(uow).handle(ReplenishStock(item, 6, "dn-1"))
    replenished = [e.quantity for e in uow.published if isinstance(e, StockItemReplenished)]
    assert replenished == [5]
    assert uow.stock_items.rows[StockItemId(item)][1] == 15


async def test_a_count_reason_with_control_characters_is_refused() -> None:
    uow = FakeInventoryUnitOfWork()
    item = await with_item(uow)
    with pytest.raises(InvalidArgument, match="control characters"):
        await inventory(uow).handle(AdjustStock(item, 3, "bad\x00reason", "c-1"))


async def test_a_sku_is_unique_within_a_warehouse_only() -> None:
    uow = FakeInventoryUnitOfWork()
    await inventory(uow).handle(an_add_stock_item(warehouse="A", sku="S-1"))
    await inventory(uow).handle(an_add_stock_item(warehouse="B", sku="S-1"))
    with pytest.raises(SkuAlreadyUsed):
        await inventory(uow).handle(an_add_stock_item(warehouse="A", sku="S-1"))


async def test_one_receipt_twice_in_one_transaction_is_booked_once() -> None:
    uow = FakeInventoryUnitOfWork()
    item = await with_item(uow)
    bus = inventory(uow)
    # The first command commits alone; the bookings that queue meanwhile go together.
    first = bus.handle(an_add_stock_item())
    await asyncio.gather(first, *(bus.handle(ReplenishStock(item, 5, "dn-9")) for _ in range(4)))
    assert uow.stock_items.rows[StockItemId(item)][1] == 15
