"""The port through which Inventory stores its aggregates."""

import abc
from collections.abc import Iterable

from logistics_platform.inventory.domain.stock_item import (
    Reservation,
    ReservationId,
    StockItem,
    StockItemId,
)
from logistics_platform.shared.domain.repository import Repository


class StockItemRepository(Repository, abc.ABC):
    """Stock items by id, each loaded once per unit of work (the same object every time).

    Changes are written when the unit of work commits: new items, and the items whose
    stock changed if nobody changed them since they were read (else
    ``ConcurrentModification``), with their new reservations."""

    @abc.abstractmethod
    async def add(self, item: StockItem) -> None:
        """Store a new item; an existing id raises ``StockItemAlreadyExists`` (at the
        latest when the unit of work commits)."""

    @abc.abstractmethod
    async def get(self, id: StockItemId) -> StockItem:
        """The item, or ``StockItemNotFound``."""

    @abc.abstractmethod
    async def reservation(self, reservation_id: ReservationId) -> Reservation | None:
        """What is recorded under ``reservation_id`` on any item, including the
        reservations made in this unit of work."""

    async def prefetch(
        self, ids: Iterable[StockItemId], reservation_ids: Iterable[ReservationId]
    ) -> None:
        """These items and reservations are about to be read: a store may load them at once."""
