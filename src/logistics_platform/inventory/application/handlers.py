"""Inventory use cases. Each runs inside a unit of work that the command bus opens and
commits (shared/application/command_bus.py): a refused command raises and changes nothing."""

import contextlib
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta

from logistics_platform.inventory.application.commands import (
    AddStockItem,
    AdjustStock,
    ExpireReservation,
    ReleaseReservation,
    ReplenishStock,
    ReserveStock,
)
from logistics_platform.inventory.application.unit_of_work import InventoryUnitOfWork
from logistics_platform.inventory.domain.records import Reservation, ReservationNotFound
from logistics_platform.inventory.domain.stock_item import StockItem
from logistics_platform.inventory.domain.values import (
    MAX_TTL_SECONDS,
    CountId,
    Quantity,
    ReceiptId,
    ReservationId,
    Sku,
    StockItemId,
    StockItemName,
    Warehouse,
    reason_text,
)
from logistics_platform.shared.application.command_bus import Handler
from logistics_platform.shared.domain.errors import InvalidArgument


async def add_stock_item(command: AddStockItem, uow: InventoryUnitOfWork) -> None:
    item = StockItem.add(
        StockItemId(command.id),
        StockItemName(command.name),
        Quantity(command.quantity),
        warehouse=Warehouse(command.warehouse),
        sku=Sku(command.sku) if command.sku is not None else None,
        low_stock_threshold=Quantity(command.low_stock_threshold),
    )
    await uow.stock_items.add(item)


async def reserve_stock(command: ReserveStock, uow: InventoryUnitOfWork) -> None:
    """Hold units for a reservation id; repeating the same reservation changes nothing."""
    quantity, reservation_id = Quantity(command.quantity), ReservationId(command.reservation_id)
    expires_at = _expiry(command.ttl_seconds)
    item = await uow.stock_items.get(StockItemId(command.stock_item_id))
    existing = await uow.stock_items.reservation(reservation_id)
    item.reserve(quantity, reservation_id, existing=existing, expires_at=expires_at)


def _expiry(ttl_seconds: int | None) -> datetime | None:
    if ttl_seconds is None:
        return None
    if type(ttl_seconds) is not int or not 1 <= ttl_seconds <= MAX_TTL_SECONDS:
        raise InvalidArgument(f"ttlSeconds must be a whole number from 1 to {MAX_TTL_SECONDS}")
    return datetime.now(UTC) + timedelta(seconds=ttl_seconds)


async def replenish_stock(command: ReplenishStock, uow: InventoryUnitOfWork) -> None:
    """Receive units under a receipt id, once."""
    quantity, receipt_id = Quantity(command.quantity), ReceiptId(command.receipt_id)
    # The item first: its row lock orders concurrent bookings of one receipt.
    item = await uow.stock_items.get(StockItemId(command.stock_item_id))
    item.replenish(quantity, receipt_id, existing=await uow.stock_items.receipt(receipt_id))


async def adjust_stock(command: AdjustStock, uow: InventoryUnitOfWork) -> None:
    """Set on-hand after a count, once per count id."""
    on_hand, count_id = Quantity(command.on_hand), CountId(command.count_id)
    reason = reason_text(command.reason)
    item = await uow.stock_items.get(StockItemId(command.stock_item_id))
    item.adjust(on_hand, reason, count_id, existing=await uow.stock_items.count(count_id))


async def release_reservation(command: ReleaseReservation, uow: InventoryUnitOfWork) -> None:
    """Give a held reservation's units back; given up already: nothing changes."""
    reason = reason_text(command.reason) if command.reason is not None else None
    reservation, item = await held_by(ReservationId(command.reservation_id), uow)
    item.release(reservation, reason=reason)


async def expire_reservation(command: ExpireReservation, uow: InventoryUnitOfWork) -> None:
    """Release a held reservation past its expiry (the sweeper's command)."""
    reservation, item = await held_by(ReservationId(command.reservation_id), uow)
    item.expire(reservation, command.now)


async def held_by(
    reservation_id: ReservationId, uow: InventoryUnitOfWork
) -> tuple[Reservation, StockItem]:
    """The reservation and its item (locked for this transaction), or ``ReservationNotFound``.

    Read again once the item is locked: it may have changed while the lock was awaited."""
    found = await uow.stock_items.reservation(reservation_id)
    if found is None:
        raise ReservationNotFound(reservation_id)
    item = await uow.stock_items.get(found.stock_item_id)
    reservation = await uow.stock_items.reservation(reservation_id)
    assert reservation is not None  # reservations are never deleted
    return reservation, item


async def load_stock_items(commands: Sequence[object], uow: InventoryUnitOfWork) -> None:
    """Before commands handled together: read the items and reservations they name at once."""
    items, reservations = [], []
    for command in commands:
        with contextlib.suppress(InvalidArgument):  # its handler will refuse it
            if isinstance(command, ReserveStock):
                items.append(StockItemId(command.stock_item_id))
                reservations.append(ReservationId(command.reservation_id))
            elif isinstance(command, ReplenishStock | AdjustStock):
                items.append(StockItemId(command.stock_item_id))
    await uow.stock_items.prefetch(items, reservations)


HANDLERS: Mapping[type, Handler[InventoryUnitOfWork]] = {
    AddStockItem: add_stock_item,
    ReserveStock: reserve_stock,
    ReplenishStock: replenish_stock,
    AdjustStock: adjust_stock,
    ReleaseReservation: release_reservation,
    ExpireReservation: expire_reservation,
}
