import pytest

from logistics_platform.inventory.application.handlers import add_stock_item, reserve_stock
from logistics_platform.inventory.domain.events import StockItemAdded, StockItemReserved
from logistics_platform.inventory.domain.stock_item import (
    InsufficientStock,
    StockItemAlreadyExists,
    StockItemId,
    StockItemNotFound,
)
from logistics_platform.shared.domain.errors import InvalidArgument
from tests.mothers.fakes import FakeInventoryUnitOfWork
from tests.mothers.inventory import a_reservation_of, an_add_stock_item


async def test_adding_stock_commits_the_item_and_its_event() -> None:
    uow = FakeInventoryUnitOfWork()
    command = an_add_stock_item(quantity=100)
    await add_stock_item(command, uow)
    item = await uow.stock_items.get(StockItemId(command.id))
    assert item.available.value == 100
    assert [type(event) for event in uow.published] == [StockItemAdded]


async def test_adding_the_same_id_twice_is_a_conflict() -> None:
    uow = FakeInventoryUnitOfWork()
    command = an_add_stock_item()
    await add_stock_item(command, uow)
    with pytest.raises(StockItemAlreadyExists):
        await add_stock_item(command, uow)


async def test_adding_with_invalid_values_is_refused_before_touching_storage() -> None:
    uow = FakeInventoryUnitOfWork()
    with pytest.raises(InvalidArgument):
        await add_stock_item(an_add_stock_item(quantity=-1), uow)
    assert uow.commits == 0


async def test_reserving_commits_the_change_and_the_event() -> None:
    uow = FakeInventoryUnitOfWork()
    added = an_add_stock_item(quantity=100)
    await add_stock_item(added, uow)
    await reserve_stock(a_reservation_of(added.id, quantity=10), uow)
    item = await uow.stock_items.get(StockItemId(added.id))
    assert (item.available.value, item.reserved.value) == (90, 10)
    assert isinstance(uow.published[-1], StockItemReserved)


async def test_reserving_an_unknown_item_is_not_found() -> None:
    with pytest.raises(StockItemNotFound):
        await reserve_stock(a_reservation_of(str(StockItemId.random())), FakeInventoryUnitOfWork())


async def test_a_stale_write_is_retried_until_it_succeeds() -> None:
    uow = FakeInventoryUnitOfWork()
    added = an_add_stock_item(quantity=100)
    await add_stock_item(added, uow)
    uow.stock_items.stale_saves_to_simulate = 3
    await reserve_stock(a_reservation_of(added.id, quantity=10), uow)
    item = await uow.stock_items.get(StockItemId(added.id))
    assert item.available.value == 90
    assert sum(isinstance(event, StockItemReserved) for event in uow.published) == 1


async def test_repeating_a_reservation_reserves_once() -> None:
    uow = FakeInventoryUnitOfWork()
    added = an_add_stock_item(quantity=100)
    await add_stock_item(added, uow)
    command = a_reservation_of(added.id, quantity=10)
    await reserve_stock(command, uow)
    await reserve_stock(command, uow)
    item = await uow.stock_items.get(StockItemId(added.id))
    assert item.available.value == 90
    assert sum(isinstance(event, StockItemReserved) for event in uow.published) == 1


async def test_insufficient_stock_is_not_retried() -> None:
    uow = FakeInventoryUnitOfWork()
    added = an_add_stock_item(quantity=1)
    await add_stock_item(added, uow)
    with pytest.raises(InsufficientStock):
        await reserve_stock(a_reservation_of(added.id, quantity=2), uow)
