"""What the Inventory API answers about stock items and reservations: read from the store
(no aggregate is loaded)."""

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class StockItemSummary:
    id: str
    name: str
    quantity: int
    reserved: int
    on_hand: int
    version: int
    shipped: int = 0
    warehouse: str = "MAIN"
    sku: str | None = None
    low_stock_threshold: int = 0

    @property
    def low_stock(self) -> bool:
        return self.quantity < self.low_stock_threshold


@dataclass(frozen=True, slots=True)
class ReservationSummary:
    reservation_id: str
    stock_item_id: str
    quantity: int
    status: str
    expires_at: datetime | None
    restocked: bool
    problem: str | None
    reserved_at: datetime
