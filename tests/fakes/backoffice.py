"""In-memory read store ports, for projector tests without a database."""

from collections.abc import Mapping
from dataclasses import replace

from logistics_platform.backoffice.application.ports import (
    BackofficeUnitOfWork,
    CatalogEntry,
    EventLog,
    LoggedEvent,
    ProjectionLag,
    ProjectionProgress,
    StockAlerts,
    StockItemCatalog,
    TrackingViews,
)
from logistics_platform.backoffice.domain.stock_alerts import StockLevel
from logistics_platform.backoffice.domain.stock_figures import StockUnits
from logistics_platform.backoffice.domain.tracking_view import TrackingView
from logistics_platform.shared.application.envelope import EventEnvelope
from logistics_platform.shared.domain.errors import ConcurrentModification
from tests.mothers.backoffice import backoffice_subscribers


class FakeTrackingViews(TrackingViews):
    def __init__(self) -> None:
        self.rows: dict[str, TrackingView] = {}

    async def get(self, reservation_id: str) -> TrackingView | None:
        return self.rows.get(reservation_id)

    async def save(self, view: TrackingView) -> None:
        stored = self.rows.get(view.reservation_id)
        if view.version != (stored.version if stored else 0):
            raise ConcurrentModification(view.reservation_id)
        self.rows[view.reservation_id] = replace(view, version=view.version + 1)

    async def unnamed_for_stock_item(self, stock_item_id: str) -> list[TrackingView]:
        return [
            view
            for view in self.rows.values()
            if view.stock_item_id == stock_item_id and view.stock_item_name is None
        ]


class FakeCatalog(StockItemCatalog):
    def __init__(self) -> None:
        self.names: dict[str, str] = {}
        self.items: dict[str, tuple[str | None, str | None, int | None]] = {}
        self.units: dict[str, StockUnits] = {}

    async def entry_of(self, stock_item_id: str) -> CatalogEntry | None:
        if stock_item_id not in self.names:
            return None
        return CatalogEntry(self.names[stock_item_id], self.items[stock_item_id][0])

    async def remember(
        self,
        stock_item_id: str,
        name: str,
        *,
        warehouse: str | None = None,
        sku: str | None = None,
        threshold: int | None = None,
    ) -> None:
        self.names.setdefault(stock_item_id, name)
        self.items.setdefault(stock_item_id, (warehouse, sku, threshold))

    async def move(self, stock_item_id: str, change: StockUnits) -> None:
        self.units[stock_item_id] = self.units.get(stock_item_id, StockUnits()) + change


class FakeStockAlerts(StockAlerts):
    def __init__(self) -> None:
        self.levels: dict[str, StockLevel] = {}

    async def record(self, level: StockLevel) -> None:
        if level.replaces(self.levels.get(level.stock_item_id)):
            self.levels[level.stock_item_id] = level


class FakeProgress(ProjectionProgress):
    def __init__(self) -> None:
        self.applied: dict[str, list[str]] = {}

    async def record(self, projection: str, event: EventEnvelope) -> None:
        self.applied.setdefault(projection, []).append(event.event_id)


class FakeBackofficeUnitOfWork(BackofficeUnitOfWork):
    """Shared state across units of work; each commits immediately (like autocommit)."""

    def __init__(self) -> None:
        self.tracking_views = self.views = FakeTrackingViews()
        self.catalog = self.known = FakeCatalog()
        self.stock_alerts = self.alerts = FakeStockAlerts()
        self.progress = self.recorded = FakeProgress()
        self.handled: set[tuple[str, str]] = set()

    async def commit(self) -> None:
        return None

    async def rollback(self) -> None:
        return None

    async def claim(self, subscriber: str, event_id: str) -> bool:
        if (subscriber, event_id) in self.handled:
            return False
        self.handled.add((subscriber, event_id))
        return True


async def delivered(events: list[EventEnvelope]) -> dict[str, TrackingView]:
    """The views the backoffice's subscribers make of ``events``, delivered in that order."""
    uow = FakeBackofficeUnitOfWork()
    by_event = {name: s for s in backoffice_subscribers(lambda _: uow) for name in s.events}
    for event in events:
        await by_event[event.name].deliver(event)
    return uow.views.rows


class FakeEventLog(EventLog):
    """The event log in a list, and how far each projection has applied it."""

    def __init__(self) -> None:
        self.events: list[LoggedEvent] = []
        self.positions: dict[str, int] = {}

    def append(self, *events: EventEnvelope) -> None:
        for event in events:
            self.events.append(LoggedEvent(len(self.events) + 1, event))

    async def read(self, *, after: int, names: frozenset[str], limit: int) -> list[LoggedEvent]:
        found = [e for e in self.events if e.position > after and e.envelope.name in names]
        return found[:limit]

    async def count(self, *, after: int, names: frozenset[str]) -> int:
        return len(await self.read(after=after, names=names, limit=len(self.events)))

    async def applied(self, projection: str) -> int | None:
        return self.positions.get(projection)

    async def lag(self, projections: Mapping[str, frozenset[str]]) -> list[ProjectionLag]:
        raise NotImplementedError("not needed by the tests that use this fake")
