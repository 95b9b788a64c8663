"""Object mothers for Inventory: valid objects by default, named variations on demand."""

import uuid
from datetime import UTC, datetime

from logistics_platform.inventory.application.commands import AddStockItem, ReserveStock
from logistics_platform.inventory.domain.stock_item import StockItem
from logistics_platform.inventory.domain.values import Quantity, StockItemId, StockItemName
from logistics_platform.shared.application.envelope import EventEnvelope


def a_stock_item(
    *, available: int = 100, name: str = "iPhone 15 Pro", threshold: int = 0
) -> StockItem:
    """A stock item as stored: no pending events."""
    item = StockItem.add(
        StockItemId.new(),
        StockItemName(name),
        Quantity(available),
        low_stock_threshold=Quantity(threshold),
    )
    item.pull_domain_events()
    return item


def an_add_stock_item(
    *, quantity: int = 100, name: str = "iPhone 15 Pro", **more: object
) -> AddStockItem:
    return AddStockItem(id=str(uuid.uuid4()), name=name, quantity=quantity, **more)  # type: ignore[arg-type]


def a_reservation_of(
    stock_item_id: str,
    *,
    quantity: int = 10,
    reservation_id: str | None = None,
    ttl_seconds: int | None = None,
) -> ReserveStock:
    return ReserveStock(
        stock_item_id=stock_item_id,
        quantity=quantity,
        reservation_id=reservation_id or f"order-{uuid.uuid4().hex[:8]}",
        ttl_seconds=ttl_seconds,
    )


def a_package_event(verb: str, reservation_id: str) -> EventEnvelope:
    """``logistics.package.<verb>`` for a reservation, as Inventory reads it."""
    return EventEnvelope(
        event_id=str(uuid.uuid4()),
        name=f"logistics.package.{verb}",
        occurred_on=datetime.now(UTC),
        aggregate_id=str(uuid.uuid4()),
        attributes={"reservationId": reservation_id, "version": 2},
    )
