"""The port through which Inventory stores its aggregates."""

import abc
from collections.abc import Sequence

from logistics_platform.inventory.domain.stock_item import (
    Reservation,
    ReservationId,
    StockItem,
    StockItemId,
)
from logistics_platform.shared.domain.repository import Repository


class StockItemRepository(Repository, abc.ABC):
    """Stock items by id. ``save`` refuses a stale version with ``ConcurrentModification``."""

    @abc.abstractmethod
    async def add(self, item: StockItem) -> None:
        """Store a new item; an existing id raises ``StockItemAlreadyExists``."""

    @abc.abstractmethod
    async def get(self, id: StockItemId) -> StockItem:
        """The item, or ``StockItemNotFound``."""

    @abc.abstractmethod
    async def save(self, item: StockItem) -> None:
        """Store the item's changes if nobody changed it since it was read."""

    @abc.abstractmethod
    async def get_with_reservation(
        self, id: StockItemId, reservation_id: ReservationId
    ) -> tuple[StockItem, Reservation | None]:
        """The item (or ``StockItemNotFound``) and the reservation already recorded under
        ``reservation_id`` on any item, if there is one: what reserving needs, in one read."""

    @abc.abstractmethod
    async def get_for_reserving(
        self, ids: Sequence[StockItemId], reservation_ids: Sequence[ReservationId]
    ) -> tuple[dict[StockItemId, StockItem], dict[ReservationId, Reservation]]:
        """What reserving for several requests needs, in one go: the items among ``ids``
        that exist, and the reservations already recorded under ``reservation_ids``."""

    async def save_all(self, items: Sequence[StockItem]) -> None:
        """Save several items (all or, with ``ConcurrentModification``, none)."""
        for item in items:
            await self.save(item)
