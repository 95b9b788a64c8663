"""Inventory commands: requests to change stock, in primitives, as they arrive."""

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class AddStockItem:
    id: str
    name: str
    quantity: int
    warehouse: str = "MAIN"
    sku: str | None = None
    low_stock_threshold: int = 0


@dataclass(frozen=True, slots=True)
class ReserveStock:
    stock_item_id: str
    quantity: int
    reservation_id: str
    ttl_seconds: int | None = None


@dataclass(frozen=True, slots=True)
class ReplenishStock:
    stock_item_id: str
    quantity: int
    receipt_id: str


@dataclass(frozen=True, slots=True)
class AdjustStock:
    stock_item_id: str
    on_hand: int
    reason: str
    count_id: str


@dataclass(frozen=True, slots=True)
class ReleaseReservation:
    reservation_id: str
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class ExpireReservation:
    reservation_id: str
    now: datetime
