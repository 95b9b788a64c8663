"""Inventory's use cases through the command bus, on fakes of its ports."""

import asyncio

import pytest

from logistics_platform.inventory.application.commands import AddStockItem, ReserveStock
from logistics_platform.inventory.application.handlers import (
    add_stock_item,
    load_stock_items,
    reserve_stock,
)
from logistics_platform.inventory.domain.events import StockItemAdded, StockItemReserved
from logistics_platform.inventory.domain.stock_item import (
    InsufficientStock,
    ReservationConflict,
    ReservationId,
    StockItemAlreadyExists,
    StockItemId,
    StockItemNotFound,
)
from logistics_platform.shared.application.command_bus import CommandBus
from logistics_platform.shared.application.unit_of_work import Causation
from logistics_platform.shared.domain.errors import InvalidArgument
from tests.fakes.inventory import FakeInventoryUnitOfWork
from tests.mothers.inventory import a_reservation_of, an_add_stock_item


def inventory(uow: FakeInventoryUnitOfWork) -> CommandBus[FakeInventoryUnitOfWork]:
    return CommandBus(
        {AddStockItem: add_stock_item, ReserveStock: reserve_stock},
        lambda _causation: uow,
        prepare=load_stock_items,
        concurrency=1,
    )


def available(uow: FakeInventoryUnitOfWork, id: str) -> tuple[int, int]:
    _, left, reserved, _ = uow.stock_items.rows[StockItemId(id)]
    return left, reserved


async def test_adding_stock_commits_the_item_and_its_event() -> None:
    uow = FakeInventoryUnitOfWork()
    command = an_add_stock_item(quantity=100)
    await inventory(uow).handle(command)
    assert available(uow, command.id) == (100, 0)
    assert [type(event) for event in uow.published] == [StockItemAdded]


async def test_adding_the_same_id_twice_is_a_conflict() -> None:
    uow, command = FakeInventoryUnitOfWork(), an_add_stock_item()
    await inventory(uow).handle(command)
    with pytest.raises(StockItemAlreadyExists):
        await inventory(uow).handle(command)


async def test_adding_with_invalid_values_is_refused_and_changes_nothing() -> None:
    uow = FakeInventoryUnitOfWork()
    with pytest.raises(InvalidArgument):
        await inventory(uow).handle(an_add_stock_item(quantity=-1))
    assert (uow.stock_items.rows, uow.published) == ({}, [])


async def test_reserving_commits_the_change_and_the_event() -> None:
    uow = FakeInventoryUnitOfWork()
    added = an_add_stock_item(quantity=100)
    await inventory(uow).handle(added)
    await inventory(uow).handle(a_reservation_of(added.id, quantity=10))
    assert available(uow, added.id) == (90, 10)
    assert isinstance(uow.published[-1], StockItemReserved)


async def test_reserving_an_unknown_item_is_not_found() -> None:
    with pytest.raises(StockItemNotFound):
        await inventory(FakeInventoryUnitOfWork()).handle(a_reservation_of(str(StockItemId.new())))


async def test_a_stale_write_is_retried_until_it_succeeds() -> None:
    uow = FakeInventoryUnitOfWork()
    added = an_add_stock_item(quantity=100)
    await inventory(uow).handle(added)
    uow.stock_items.stale_saves_to_simulate = 3
    await inventory(uow).handle(a_reservation_of(added.id, quantity=10))
    assert available(uow, added.id) == (90, 10)
    assert sum(isinstance(event, StockItemReserved) for event in uow.published) == 1


async def test_repeating_a_reservation_reserves_once() -> None:
    uow = FakeInventoryUnitOfWork()
    added = an_add_stock_item(quantity=100)
    await inventory(uow).handle(added)
    command = a_reservation_of(added.id, quantity=10)
    await inventory(uow).handle(command)
    await inventory(uow).handle(command)
    assert available(uow, added.id) == (90, 10)
    assert sum(isinstance(event, StockItemReserved) for event in uow.published) == 1


async def test_insufficient_stock_is_refused() -> None:
    uow = FakeInventoryUnitOfWork()
    added = an_add_stock_item(quantity=1)
    await inventory(uow).handle(added)
    with pytest.raises(InsufficientStock):
        await inventory(uow).handle(a_reservation_of(added.id, quantity=2))
    assert available(uow, added.id) == (1, 0)


# --- commands that arrive while a transaction commits share the next one ------------


async def handled_together(
    uow: FakeInventoryUnitOfWork, *commands: ReserveStock, causes: list[Causation] | None = None
) -> list[BaseException | None]:
    """The first command in a transaction of its own, the others arriving meanwhile."""
    bus = inventory(uow)
    causes = causes or [Causation() for _ in commands]
    return await asyncio.gather(
        *(bus.handle(command, cause) for command, cause in zip(commands, causes, strict=True)),
        return_exceptions=True,
    )


async def test_reservations_that_arrive_together_are_committed_together_in_order() -> None:
    uow = FakeInventoryUnitOfWork()
    first, second = an_add_stock_item(quantity=10), an_add_stock_item(quantity=10)
    await inventory(uow).handle(first)
    await inventory(uow).handle(second)
    commits, uow.published = uow.commits, []
    causes = [Causation() for _ in range(4)]

    outcomes = await handled_together(
        uow,
        a_reservation_of(first.id, quantity=1, reservation_id="o-0"),
        a_reservation_of(first.id, quantity=3, reservation_id="o-1"),
        a_reservation_of(second.id, quantity=4, reservation_id="o-2"),
        a_reservation_of(first.id, quantity=5, reservation_id="o-3"),
        causes=causes,
    )

    assert outcomes == [None, None, None, None]
    assert uow.commits == commits + 1  # submitted together, committed together
    assert uow.stock_items.prefetched[1] == [ReservationId(f"o-{n}") for n in range(4)]
    assert [event.reservation_id for event in uow.published] == ["o-0", "o-1", "o-2", "o-3"]
    assert uow.causes[-4:] == causes
    assert available(uow, first.id) == (1, 9)
    assert available(uow, second.id) == (6, 4)


async def test_a_refused_reservation_fails_alone_and_changes_nothing() -> None:
    uow = FakeInventoryUnitOfWork()
    item = an_add_stock_item(quantity=6)
    await inventory(uow).handle(item)
    uow.published = []
    unknown = str(StockItemId.new())

    outcomes = await handled_together(
        uow,
        a_reservation_of(item.id, quantity=1, reservation_id="o-0"),
        a_reservation_of(item.id, quantity=4, reservation_id="o-1"),
        a_reservation_of(item.id, quantity=2, reservation_id="o-2"),  # 1 left
        a_reservation_of(unknown, quantity=1, reservation_id="o-3"),
        a_reservation_of(item.id, quantity=0, reservation_id="o-4"),
        a_reservation_of(item.id, quantity=1, reservation_id="o 5"),  # not a reservation id
        a_reservation_of(item.id, quantity=1, reservation_id="o-6"),
    )

    assert [type(outcome) for outcome in outcomes] == [
        type(None),
        type(None),
        InsufficientStock,
        StockItemNotFound,
        InvalidArgument,
        InvalidArgument,
        type(None),
    ]
    assert available(uow, item.id) == (0, 6)
    assert [event.reservation_id for event in uow.published] == ["o-0", "o-1", "o-6"]


async def test_a_reservation_repeated_in_a_batch_or_across_batches_is_granted_once() -> None:
    uow = FakeInventoryUnitOfWork()
    item = an_add_stock_item(quantity=10)
    await inventory(uow).handle(item)
    uow.published = []
    same = a_reservation_of(item.id, quantity=2, reservation_id="o-1")
    other_terms = a_reservation_of(item.id, quantity=3, reservation_id="o-1")

    in_one = await handled_together(uow, same, same, other_terms)
    in_the_next = await handled_together(uow, same, other_terms)

    assert [type(outcome) for outcome in in_one] == [type(None), type(None), ReservationConflict]
    assert [type(outcome) for outcome in in_the_next] == [type(None), ReservationConflict]
    assert available(uow, item.id) == (8, 2)
    assert len(uow.published) == 1


async def test_a_batch_beaten_by_a_concurrent_writer_is_retried_whole() -> None:
    uow = FakeInventoryUnitOfWork()
    item = an_add_stock_item(quantity=10)
    await inventory(uow).handle(item)
    uow.published = []
    uow.stock_items.stale_saves_to_simulate = 2

    outcomes = await handled_together(
        uow, *(a_reservation_of(item.id, quantity=1) for _ in range(3))
    )

    assert outcomes == [None, None, None]
    assert available(uow, item.id) == (7, 3)
    assert len(uow.published) == 3
