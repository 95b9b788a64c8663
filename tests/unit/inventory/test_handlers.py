import pytest

from logistics_platform.inventory.application.commands import ReserveStock
from logistics_platform.inventory.application.handlers import (
    add_stock_item,
    reserve_stock,
    reserve_stock_together,
)
from logistics_platform.inventory.domain.events import StockItemAdded, StockItemReserved
from logistics_platform.inventory.domain.stock_item import (
    InsufficientStock,
    ReservationConflict,
    StockItemAlreadyExists,
    StockItemId,
    StockItemNotFound,
)
from logistics_platform.shared.application.unit_of_work import Causation
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


# --- several reservations in one transaction ----------------------------------------


def together(*commands: ReserveStock) -> list[tuple[ReserveStock, Causation]]:
    return [(command, Causation()) for command in commands]


async def test_reservations_granted_together_are_committed_once_in_order() -> None:
    uow = FakeInventoryUnitOfWork()
    first, second = an_add_stock_item(quantity=10), an_add_stock_item(quantity=10)
    await add_stock_item(first, uow)
    await add_stock_item(second, uow)
    commits = uow.commits
    uow.published.clear()
    requests = together(
        a_reservation_of(first.id, quantity=3, reservation_id="o-1"),
        a_reservation_of(second.id, quantity=4, reservation_id="o-2"),
        a_reservation_of(first.id, quantity=5, reservation_id="o-3"),
    )

    outcomes = await reserve_stock_together(requests, uow)

    assert outcomes == [None, None, None]
    assert uow.commits == commits + 1
    assert [event.reservation_id for event in uow.published] == ["o-1", "o-2", "o-3"]
    assert uow.causes[-3:] == [causation for _, causation in requests]
    left = {
        id: (await uow.stock_items.get(StockItemId(id))).available.value
        for id in (first.id, second.id)
    }
    assert left == {first.id: 2, second.id: 6}


async def test_a_refused_reservation_fails_alone_and_changes_nothing() -> None:
    uow = FakeInventoryUnitOfWork()
    item = an_add_stock_item(quantity=5)
    await add_stock_item(item, uow)
    uow.published.clear()
    unknown = str(StockItemId.random())
    requests = together(
        a_reservation_of(item.id, quantity=4, reservation_id="o-1"),
        a_reservation_of(item.id, quantity=2, reservation_id="o-2"),  # 1 left
        a_reservation_of(unknown, quantity=1, reservation_id="o-3"),
        a_reservation_of(item.id, quantity=0, reservation_id="o-4"),
        a_reservation_of(item.id, quantity=1, reservation_id="o 5"),  # not a reservation id
        a_reservation_of(item.id, quantity=1, reservation_id="o-6"),
    )

    outcomes = await reserve_stock_together(requests, uow)

    assert [type(outcome) for outcome in outcomes] == [
        type(None),
        InsufficientStock,
        StockItemNotFound,
        InvalidArgument,
        InvalidArgument,
        type(None),
    ]
    stored = await uow.stock_items.get(StockItemId(item.id))
    assert (stored.available.value, stored.reserved.value) == (0, 5)
    assert [event.reservation_id for event in uow.published] == ["o-1", "o-6"]


async def test_a_reservation_repeated_in_a_batch_or_across_batches_is_granted_once() -> None:
    uow = FakeInventoryUnitOfWork()
    item = an_add_stock_item(quantity=10)
    await add_stock_item(item, uow)
    uow.published.clear()
    same = a_reservation_of(item.id, quantity=2, reservation_id="o-1")
    other_terms = a_reservation_of(item.id, quantity=3, reservation_id="o-1")

    in_one = await reserve_stock_together(together(same, same, other_terms), uow)
    in_the_next = await reserve_stock_together(together(same, other_terms), uow)

    assert [type(outcome) for outcome in in_one] == [type(None), type(None), ReservationConflict]
    assert [type(outcome) for outcome in in_the_next] == [type(None), ReservationConflict]
    stored = await uow.stock_items.get(StockItemId(item.id))
    assert stored.available.value == 8
    assert len(uow.published) == 1


async def test_a_batch_beaten_by_a_concurrent_writer_is_retried_whole() -> None:
    uow = FakeInventoryUnitOfWork()
    item = an_add_stock_item(quantity=10)
    await add_stock_item(item, uow)
    uow.published.clear()
    uow.stock_items.stale_saves_to_simulate = 2
    requests = together(*(a_reservation_of(item.id, quantity=1) for _ in range(3)))

    assert await reserve_stock_together(requests, uow) == [None, None, None]

    stored = await uow.stock_items.get(StockItemId(item.id))
    assert stored.available.value == 7
    assert len(uow.published) == 3
