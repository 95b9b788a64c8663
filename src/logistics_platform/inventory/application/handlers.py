"""Inventory use cases."""

from logistics_platform.inventory.application.commands import AddStockItem, ReserveStock
from logistics_platform.inventory.application.unit_of_work import InventoryUnitOfWork
from logistics_platform.inventory.domain.stock_item import (
    Quantity,
    ReservationId,
    StockItem,
    StockItemId,
    StockItemName,
)
from logistics_platform.shared.application.retry import retry_on_concurrent_modification


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
