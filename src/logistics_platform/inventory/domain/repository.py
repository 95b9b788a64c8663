"""The port through which Inventory stores its aggregates."""

import abc
from collections.abc import Iterable

from logistics_platform.inventory.domain.records import Count, Receipt, Reservation
from logistics_platform.inventory.domain.stock_item import StockItem
from logistics_platform.inventory.domain.values import (
    CountId,
    ReceiptId,
    ReservationId,
    StockItemId,
)
from logistics_platform.shared.domain.repository import Repository


class StockItemRepository(Repository, abc.ABC):
    """Stock items by id, each loaded once per unit of work (the same object every time).

    Changes are written when the unit of work commits: new items, and the items that
    changed if nobody changed them since they were read (else ``ConcurrentModification``),
    with the reservations, receipts and counts they touched (a reservation, too, only if
    nobody changed it since it was read)."""

    @abc.abstractmethod
    async def add(self, item: StockItem) -> None:
        """Store a new item; an existing id raises ``StockItemAlreadyExists``, a SKU used in
        the warehouse already ``SkuAlreadyUsed`` (at the latest when the unit of work commits)."""

    @abc.abstractmethod
    async def get(self, id: StockItemId) -> StockItem:
        """The item, or ``StockItemNotFound``."""

    @abc.abstractmethod
    async def reservation(self, reservation_id: ReservationId) -> Reservation | None:
        """What is recorded under ``reservation_id`` on any item, as this unit of work
        left it (including the reservations made or changed in it). Its terms never
        change; read it again after getting its item for its current status."""

    @abc.abstractmethod
    async def receipt(self, receipt_id: ReceiptId) -> Receipt | None:
        """What was booked under ``receipt_id``, if anything."""

    @abc.abstractmethod
    async def count(self, count_id: CountId) -> Count | None:
        """What was booked under ``count_id``, if anything."""

    async def prefetch(
        self, ids: Iterable[StockItemId], reservation_ids: Iterable[ReservationId]
    ) -> None:
        """These items and reservations are about to be read: a store may load them at once."""
