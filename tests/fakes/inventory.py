"""Fakes of Inventory's ports, for unit tests of its use cases (no database)."""

import asyncio
from collections.abc import Iterable

from logistics_platform.inventory.application.unit_of_work import InventoryUnitOfWork
from logistics_platform.inventory.domain.repository import StockItemRepository
from logistics_platform.inventory.domain.stock_item import (
    Quantity,
    Reservation,
    ReservationId,
    StockItem,
    StockItemAlreadyExists,
    StockItemId,
    StockItemName,
    StockItemNotFound,
)
from logistics_platform.shared.application.unit_of_work import Causation
from logistics_platform.shared.domain.errors import ConcurrentModification
from logistics_platform.shared.domain.events import DomainEvent


class FakeStockItemRepository(StockItemRepository):
    """Rows as a database keeps them; each transaction works on its own copies, written
    back by :meth:`flush` (which can be told to find them changed meanwhile)."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: dict[StockItemId, tuple[str, int, int, int]] = {}
        self.reservations: dict[ReservationId, Reservation] = {}
        self.stale_saves_to_simulate = 0
        self._loaded: dict[StockItemId, StockItem] = {}
        self._new: dict[StockItemId, StockItem] = {}

    async def add(self, item: StockItem) -> None:
        if item.id in self.rows or item.id in self._new:
            raise StockItemAlreadyExists(item.id)
        self._new[item.id] = item
        self.seen.append(item)

    async def get(self, id: StockItemId) -> StockItem:
        if id in self._new or id in self._loaded:
            return self._new.get(id) or self._loaded[id]
        if id not in self.rows:
            raise StockItemNotFound(id)
        name, available, reserved, version = self.rows[id]
        item = StockItem(
            id=id,
            name=StockItemName(name),
            available=Quantity(available),
            reserved=Quantity(reserved),
            version=version,
        )
        self._loaded[id] = item
        self.seen.append(item)
        return item

    async def reservation(self, reservation_id: ReservationId) -> Reservation | None:
        made = [r for item in self._loaded.values() for r in item.new_reservations]
        return next((r for r in made if r.reservation_id == reservation_id), None) or (
            self.reservations.get(reservation_id)
        )

    async def prefetch(
        self, ids: Iterable[StockItemId], reservation_ids: Iterable[ReservationId]
    ) -> None:
        self.prefetched = (list(ids), list(reservation_ids))

    async def flush(self) -> None:
        if self.stale_saves_to_simulate and self._loaded:
            self.stale_saves_to_simulate -= 1
            raise ConcurrentModification("simulated concurrent writer")
        for item in [*self._new.values(), *self._loaded.values()]:
            version = item.version + 1 if item.id in self._loaded else 0
            self.rows[item.id] = (
                item.name.value,
                item.available.value,
                item.reserved.value,
                version,
            )
            self.reservations.update((r.reservation_id, r) for r in item.new_reservations)
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
