"""Fakes of Inventory's ports, for unit tests of its use cases (no database)."""

import asyncio
import copy
from collections.abc import Iterable

from logistics_platform.inventory.application.unit_of_work import InventoryUnitOfWork
from logistics_platform.inventory.domain.records import Count, Receipt, Reservation
from logistics_platform.inventory.domain.repository import StockItemRepository
from logistics_platform.inventory.domain.stock_item import (
    SkuAlreadyUsed,
    StockItem,
    StockItemAlreadyExists,
    StockItemNotFound,
)
from logistics_platform.inventory.domain.values import (
    CountId,
    ReceiptId,
    ReservationId,
    StockItemId,
)
from logistics_platform.shared.application.unit_of_work import Causation
from logistics_platform.shared.domain.errors import ConcurrentModification
from logistics_platform.shared.domain.events import DomainEvent


class FakeStockItemRepository(StockItemRepository):
    """Items as a database keeps them; each transaction works on its own copies, written
    back by :meth:`flush` (which can be told to find them changed meanwhile)."""

    def __init__(self) -> None:
        super().__init__()
        self.items: dict[StockItemId, StockItem] = {}
        self.reservations: dict[ReservationId, Reservation] = {}
        self.records: dict[ReceiptId | CountId, Receipt | Count] = {}
        self.stale_saves_to_simulate = 0
        self._loaded: dict[StockItemId, StockItem] = {}
        self._new: dict[StockItemId, StockItem] = {}

    @property
    def rows(self) -> dict[StockItemId, tuple[str, int, int, int]]:
        """Name, available, reserved and version of every stored item."""
        return {
            id: (i.name.value, i.available.value, i.reserved.value, i.version)
            for id, i in self.items.items()
        }

    async def add(self, item: StockItem) -> None:
        if item.id in self.items or item.id in self._new:
            raise StockItemAlreadyExists(item.id)
        taken = [
            i for i in self.items.values() if (i.warehouse, i.sku) == (item.warehouse, item.sku)
        ]
        if item.sku is not None and taken:
            raise SkuAlreadyUsed(item.sku.value, item.warehouse.value)
        self._new[item.id] = item
        self.seen.append(item)

    async def get(self, id: StockItemId) -> StockItem:
        if id in self._new or id in self._loaded:
            return self._new.get(id) or self._loaded[id]
        if id not in self.items:
            raise StockItemNotFound(id)
        item = copy.deepcopy(self.items[id])
        self._loaded[id] = item
        self.seen.append(item)
        return item

    async def reservation(self, reservation_id: ReservationId) -> Reservation | None:
        for item in [*self._new.values(), *self._loaded.values()]:
            if reservation_id in item.touched:
                return item.touched[reservation_id]
        return self.reservations.get(reservation_id)

    def _booked(self) -> dict[ReceiptId | CountId, Receipt | Count]:
        return {
            record.receipt_id if isinstance(record, Receipt) else record.count_id: record
            for item in [*self._new.values(), *self._loaded.values()]
            for record in item.new_records
        }

    async def receipt(self, receipt_id: ReceiptId) -> Receipt | None:
        found = self._booked().get(receipt_id) or self.records.get(receipt_id)
        return found if isinstance(found, Receipt) else None

    async def count(self, count_id: CountId) -> Count | None:
        found = self._booked().get(count_id) or self.records.get(count_id)
        return found if isinstance(found, Count) else None

    async def prefetch(
        self, ids: Iterable[StockItemId], reservation_ids: Iterable[ReservationId]
    ) -> None:
        self.prefetched = (list(ids), list(reservation_ids))

    async def flush(self) -> None:
        if self.stale_saves_to_simulate and self._loaded:
            self.stale_saves_to_simulate -= 1
            raise ConcurrentModification("simulated concurrent writer")
        for item in [*self._new.values(), *self._loaded.values()]:
            for reservation in item.touched.values():
                stored = reservation.version + (
                    reservation.reservation_id not in item.new_reservation_ids
                )
                self.reservations[reservation.reservation_id] = reservation.but(version=stored)
            for record in item.new_records:
                key = record.receipt_id if isinstance(record, Receipt) else record.count_id
                self.records[key] = record
            item.stored()
            self.items[item.id] = copy.deepcopy(item)
        self.forget()

    def forget(self) -> None:
        """The end of a transaction: nothing loaded any more."""
        self._loaded.clear()
        self._new.clear()
        self.seen.clear()


class FakeInventoryUnitOfWork(InventoryUnitOfWork):
    """Publishes on commit, in order of recording, each event with its causation."""

    def __init__(self) -> None:
        self.stock_items = FakeStockItemRepository()
        self.published: list[DomainEvent] = []
        self.causes: list[Causation] = []  # of each published event
        self.commits = 0
        self._causation = Causation()
        self._staged: list[tuple[DomainEvent, Causation]] = []

    def caused_by(self, causation: Causation) -> None:
        self._staged.extend((event, self._causation) for event in self.collect_events())
        self._causation = causation

    async def commit(self) -> None:
        await asyncio.sleep(0)  # a real commit waits for the database: others may queue
        self.caused_by(self._causation)
        await self.stock_items.flush()
        self.published.extend(event for event, _ in self._staged)
        self.causes.extend(causation for _, causation in self._staged)
        self._staged = []
        self.commits += 1

    async def rollback(self) -> None:
        self._staged = []
        for aggregate in self.stock_items.seen:
            aggregate.pull_domain_events()
        self.stock_items.forget()

    async def claim(self, subscriber: str, event_id: str) -> bool:
        return True
