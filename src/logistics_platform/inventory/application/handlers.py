"""Inventory use cases. Each runs inside a unit of work that the command bus opens and
commits (shared/application/command_bus.py): a refused command raises and changes nothing."""

import contextlib
from collections.abc import Sequence

from logistics_platform.inventory.application.commands import AddStockItem, ReserveStock
from logistics_platform.inventory.application.unit_of_work import InventoryUnitOfWork
from logistics_platform.inventory.domain.stock_item import (
    Quantity,
    ReservationId,
    StockItem,
    StockItemId,
    StockItemName,
)
from logistics_platform.shared.domain.errors import InvalidArgument


async def add_stock_item(command: AddStockItem, uow: InventoryUnitOfWork) -> None:
    item = StockItem.add(
        StockItemId(command.id), StockItemName(command.name), Quantity(command.quantity)
    )
    await uow.stock_items.add(item)


async def reserve_stock(command: ReserveStock, uow: InventoryUnitOfWork) -> None:
    """Hold units for a reservation id; repeating the same reservation changes nothing."""
    quantity, reservation_id = Quantity(command.quantity), ReservationId(command.reservation_id)
    item = await uow.stock_items.get(StockItemId(command.stock_item_id))
    existing = await uow.stock_items.reservation(reservation_id)
    item.reserve(quantity, reservation_id, existing=existing)


async def load_stock_items(commands: Sequence[object], uow: InventoryUnitOfWork) -> None:
    """Before commands handled together: read the items and reservations they name at once."""
    items, reservations = [], []
    for command in commands:
        if isinstance(command, ReserveStock):
            with contextlib.suppress(InvalidArgument):  # its handler will refuse it
                items.append(StockItemId(command.stock_item_id))
                reservations.append(ReservationId(command.reservation_id))
    await uow.stock_items.prefetch(items, reservations)
