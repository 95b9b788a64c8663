"""Events recorded by the Inventory context.

Every event's aggregate is the stock item (``id`` on the wire): a reservation lives inside
its stock item, so reservation events are ordered with the stock they move.
"""

from dataclasses import dataclass
from typing import ClassVar

from logistics_platform.shared.domain.events import DomainEvent


@dataclass(frozen=True, kw_only=True)
class StockItemAdded(DomainEvent):
    """Attributes: ``id``, ``name``, ``quantity``, ``warehouse``, ``sku``, ``lowStockThreshold``."""

    EVENT_NAME: ClassVar[str] = "inventory.stock_item.added"

    name: str
    quantity: int
    warehouse: str = "MAIN"
    sku: str | None = None
    low_stock_threshold: int = 0


@dataclass(frozen=True, kw_only=True)
class StockItemReserved(DomainEvent):
    """Attributes: ``id``, ``quantity``, ``reservationId``, ``expiresAt`` (ISO 8601 or null)."""

    EVENT_NAME: ClassVar[str] = "inventory.stock_item.reserved"

    quantity: int
    reservation_id: str
    expires_at: str | None = None


@dataclass(frozen=True, kw_only=True)
class StockItemReplenished(DomainEvent):
    """Units received (``receiptId`` names the delivery note): available grows."""

    EVENT_NAME: ClassVar[str] = "inventory.stock_item.replenished"

    quantity: int
    receipt_id: str


@dataclass(frozen=True, kw_only=True)
class StockItemAdjusted(DomainEvent):
    """On-hand set after a count (``countId``); ``delta`` is what the count changed."""

    EVENT_NAME: ClassVar[str] = "inventory.stock_item.adjusted"

    on_hand: int
    delta: int
    reason: str
    count_id: str


@dataclass(frozen=True, kw_only=True)
class StockItemRestocked(DomainEvent):
    """A returned package's units are available again (they leave ``shipped``)."""

    EVENT_NAME: ClassVar[str] = "inventory.stock_item.restocked"

    quantity: int
    reservation_id: str


@dataclass(frozen=True, kw_only=True)
class StockItemLowStock(DomainEvent):
    """Available fell below the item's threshold (raised once per crossing); ``version``
    is the item's after the change, so an alert list keeps the latest of these two."""

    EVENT_NAME: ClassVar[str] = "inventory.stock_item.low_stock"

    available: int
    threshold: int
    version: int


@dataclass(frozen=True, kw_only=True)
class StockItemLowStockCleared(DomainEvent):
    """Available rose back to the threshold or above: the low-stock alert is over."""

    EVENT_NAME: ClassVar[str] = "inventory.stock_item.low_stock_cleared"

    available: int
    threshold: int
    version: int


@dataclass(frozen=True, kw_only=True)
class ReservationCommitted(DomainEvent):
    """The package left: the reservation's units move from ``reserved`` to ``shipped``."""

    EVENT_NAME: ClassVar[str] = "inventory.reservation.committed"

    reservation_id: str
    quantity: int


@dataclass(frozen=True, kw_only=True)
class ReservationReleased(DomainEvent):
    """The reservation was given up: its units are available again."""

    EVENT_NAME: ClassVar[str] = "inventory.reservation.released"

    reservation_id: str
    quantity: int
    reason: str | None = None


@dataclass(frozen=True, kw_only=True)
class ReservationExpired(DomainEvent):
    """Not dispatched before ``expiresAt``: released by the sweeper."""

    EVENT_NAME: ClassVar[str] = "inventory.reservation.expired"

    reservation_id: str
    quantity: int


@dataclass(frozen=True, kw_only=True)
class ReservationCommitRefused(DomainEvent):
    """A package was dispatched for a reservation that can no longer be committed (it
    was released or expired first): a named state an operator resolves, not a lost event."""

    EVENT_NAME: ClassVar[str] = "inventory.reservation.commit_refused"

    reservation_id: str
    status: str
    reason: str
