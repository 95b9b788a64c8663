"""Logistics registers one package per reservation, whatever Inventory's event delivery does."""

from dataclasses import replace

import pytest

from logistics_platform.logistics.domain.events import PackageRegistered
from logistics_platform.shared.domain.errors import InvalidArgument
from tests.fakes.logistics import FakeLogisticsUnitOfWork, registering
from tests.mothers.backoffice import stock_item_reserved


async def test_a_reservation_gets_a_registered_package_and_its_event() -> None:
    uow = FakeLogisticsUnitOfWork()
    reserved = stock_item_reserved("item-1", "order-1")

    await registering(uow).deliver(reserved)

    package = uow.packages.by_reservation["order-1"]
    assert package.status.value == "registered"
    assert [type(event) for event in uow.published] == [PackageRegistered]
    assert uow.published[0].aggregate_id == package.id.value


async def test_a_redelivered_event_registers_nothing_more() -> None:
    uow = FakeLogisticsUnitOfWork()
    reserved = stock_item_reserved("item-1", "order-1")

    await registering(uow).deliver(reserved)
    await registering(uow).deliver(reserved)

    assert len(uow.published) == 1


async def test_another_event_for_the_same_reservation_keeps_its_one_package() -> None:
    uow = FakeLogisticsUnitOfWork()
    subscriber = registering(uow)
    await subscriber.deliver(stock_item_reserved("item-1", "order-1"))
    first = uow.packages.by_reservation["order-1"]

    await subscriber.deliver_all(
        [stock_item_reserved("item-1", "order-1"), stock_item_reserved("item-2", "order-2")]
    )

    assert uow.packages.by_reservation["order-1"] is first
    assert sorted(uow.packages.by_reservation) == ["order-1", "order-2"]
    assert uow.packages.prefetched[-2:] == ["order-1", "order-2"]  # looked up in one go
    assert len(uow.published) == 2


async def test_an_event_without_a_reservation_id_is_refused() -> None:
    broken = replace(stock_item_reserved("item-1", "order-1"), attributes={"id": "item-1"})
    with pytest.raises(InvalidArgument):
        await registering(FakeLogisticsUnitOfWork()).deliver(broken)
