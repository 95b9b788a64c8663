"""Fakes that subclass the ports, for unit tests of use cases (no database)."""

from collections.abc import Sequence

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
    """Stores copies, so a handler works on its own instance as with a database."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: dict[StockItemId, tuple[str, int, int, int]] = {}
        self.reservations: dict[ReservationId, Reservation] = {}
        self.stale_saves_to_simulate = 0

    async def add(self, item: StockItem) -> None:
        if item.id in self.rows:
            raise StockItemAlreadyExists(item.id)
        self.rows[item.id] = (item.name.value, item.available.value, item.reserved.value, 0)
        self.seen.append(item)

    async def get(self, id: StockItemId) -> StockItem:
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
        self.seen.append(item)
        return item

    async def save(self, item: StockItem) -> None:
        if self.stale_saves_to_simulate:
            self.stale_saves_to_simulate -= 1
            raise ConcurrentModification("simulated concurrent writer")
        self.rows[item.id] = (
            item.name.value,
            item.available.value,
            item.reserved.value,
            item.version + 1,
        )
        for reservation in item.new_reservations:
            self.reservations[reservation.reservation_id] = reservation
        item.new_reservations.clear()

    async def get_with_reservation(
        self, id: StockItemId, reservation_id: ReservationId
    ) -> tuple[StockItem, Reservation | None]:
        return await self.get(id), self.reservations.get(reservation_id)

    async def get_for_reserving(
        self, ids: Sequence[StockItemId], reservation_ids: Sequence[ReservationId]
    ) -> tuple[dict[StockItemId, StockItem], dict[ReservationId, Reservation]]:
        items = {id: await self.get(id) for id in sorted(set(ids), key=str) if id in self.rows}
        wanted = set(reservation_ids)
        return items, {id: r for id, r in self.reservations.items() if id in wanted}


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
        self.caused_by(self._causation)
        self.published.extend(event for event, _ in self._staged)
        self.causes.extend(causation for _, causation in self._staged)
        self._staged = []
        self.commits += 1

    async def rollback(self) -> None:
        self._staged = []
        for aggregate in self.stock_items.seen:
            aggregate.pull_domain_events()
        self.stock_items.seen.clear()

    async def claim(self, subscriber: str, event_id: str) -> bool:
        return True
