"""Inventory commands: requests to change stock, in primitives, as they arrive."""

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class AddStockItem:
    id: str
    name: str
    quantity: int


@dataclass(frozen=True, slots=True)
class ReserveStock:
    stock_item_id: str
    quantity: int
    reservation_id: str
