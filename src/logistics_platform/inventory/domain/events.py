"""Events recorded by the Inventory context."""

from dataclasses import dataclass
from typing import ClassVar

from logistics_platform.shared.domain.events import DomainEvent


@dataclass(frozen=True, kw_only=True)
class StockItemAdded(DomainEvent):
    """Attributes: ``id``, ``name``, ``quantity``."""

    EVENT_NAME: ClassVar[str] = "inventory.stock_item.added"

    name: str
    quantity: int


@dataclass(frozen=True, kw_only=True)
class StockItemReserved(DomainEvent):
    """Attributes: ``id``, ``quantity``, ``reservationId``."""

    EVENT_NAME: ClassVar[str] = "inventory.stock_item.reserved"

    quantity: int
    reservation_id: str
