"""Inventory use cases."""

from collections.abc import Sequence

from logistics_platform.inventory.application.commands import AddStockItem, ReserveStock
from logistics_platform.inventory.application.unit_of_work import InventoryUnitOfWork
from logistics_platform.inventory.domain.stock_item import (
    Quantity,
    Reservation,
    ReservationId,
    StockItem,
    StockItemId,
    StockItemName,
    StockItemNotFound,
)
from logistics_platform.shared.application.retry import retry_on_concurrent_modification
from logistics_platform.shared.application.unit_of_work import Causation
from logistics_platform.shared.domain.errors import DomainError


async def add_stock_item(command: AddStockItem, uow: InventoryUnitOfWork) -> None:
    item = StockItem.add(
        StockItemId(command.id), StockItemName(command.name), Quantity(command.quantity)
    )
    async with uow:
        await uow.stock_items.add(item)
        await uow.commit()


async def reserve_stock(command: ReserveStock, uow: InventoryUnitOfWork) -> None:
    """Reserve units; a stale read is retried, so concurrent reservations never oversell."""
    item_id = StockItemId(command.stock_item_id)
    quantity = Quantity(command.quantity)
    reservation_id = ReservationId(command.reservation_id)

    async def attempt() -> None:
        async with uow:
            item, existing = await uow.stock_items.get_with_reservation(item_id, reservation_id)
            item.reserve(quantity, reservation_id, existing=existing)
            await uow.stock_items.save(item)
            await uow.commit()

    await retry_on_concurrent_modification(attempt)


async def reserve_stock_together(
    requests: Sequence[tuple[ReserveStock, Causation]], uow: InventoryUnitOfWork
) -> list[DomainError | None]:
    """Several reservations in one transaction, in order, each caused by its request.

    Each is granted or refused on its own (a refused one changes nothing): the answer is
    one outcome per request, None or the error refusing it. What was granted is stored
    together; a stale read is retried, as for a single reservation."""
    asked = [_parsed(command) for command, _ in requests]
    wanted = [reservation for reservation in asked if isinstance(reservation, Reservation)]
    if not wanted:  # every request invalid: nothing to read or store
        return [outcome for outcome in asked if isinstance(outcome, DomainError)]

    async def attempt() -> list[DomainError | None]:
        async with uow:
            items, recorded = await uow.stock_items.get_for_reserving(
                [reservation.stock_item_id for reservation in wanted],
                [reservation.reservation_id for reservation in wanted],
            )
            outcomes = []
            for reservation, (_, causation) in zip(asked, requests, strict=True):
                uow.caused_by(causation)
                outcomes.append(
                    reservation
                    if isinstance(reservation, DomainError)
                    else _reserve(reservation, items, recorded)
                )
            await uow.stock_items.save_all([i for i in items.values() if i.new_reservations])
            await uow.commit()
        return outcomes

    return await retry_on_concurrent_modification(attempt)


def _parsed(command: ReserveStock) -> Reservation | DomainError:
    try:
        return Reservation(
            StockItemId(command.stock_item_id),
            ReservationId(command.reservation_id),
            Quantity(command.quantity),
        )
    except DomainError as invalid:
        return invalid


def _reserve(
    wanted: Reservation,
    items: dict[StockItemId, StockItem],
    recorded: dict[ReservationId, Reservation],
) -> DomainError | None:
    """Reserve on the batch's items; ``recorded`` holds the reservations known so far
    (stored, or granted earlier in the batch)."""
    item = items.get(wanted.stock_item_id)
    try:
        if item is None:
            raise StockItemNotFound(wanted.stock_item_id)
        existing = recorded.get(wanted.reservation_id)
        item.reserve(wanted.quantity, wanted.reservation_id, existing=existing)
    except DomainError as refused:
        return refused
    recorded[wanted.reservation_id] = wanted
    return None
