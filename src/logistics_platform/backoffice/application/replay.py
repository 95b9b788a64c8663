"""A unit of work over a rebuild's copy: the live projectors run unchanged against it,
a batch of events at a time, with the stock item catalog kept in memory."""

from collections.abc import Iterable
from dataclasses import replace

from logistics_platform.backoffice.application.ports import (
    BackofficeUnitOfWork,
    CatalogEntry,
    ProjectionProgress,
    StockAlerts,
    StockItemCatalog,
    TrackingCopy,
    TrackingViews,
)
from logistics_platform.backoffice.domain.stock_alerts import StockLevel
from logistics_platform.backoffice.domain.stock_figures import StockUnits
from logistics_platform.backoffice.domain.tracking_view import TrackingView
from logistics_platform.shared.application.envelope import EventEnvelope
from logistics_platform.shared.domain.errors import ConcurrentModification


class ReplayViews(TrackingViews):
    """Views of one batch, read from the copy once and written back by the caller."""

    def __init__(self, copy: TrackingCopy, nameless: set[str]) -> None:
        self._copy = copy
        self._views: dict[str, TrackingView | None] = {}
        self._changed: set[str] = set()
        # Stock items with a view saved before their name was known: only those can need
        # a look into the copy when the name arrives.
        self._nameless = nameless

    async def prefetch(self, reservation_ids: Iterable[str]) -> None:
        missing = [rid for rid in reservation_ids if rid not in self._views]
        found = await self._copy.get_many(missing) if missing else {}
        for rid in missing:
            self._views[rid] = found.get(rid)

    async def get(self, reservation_id: str) -> TrackingView | None:
        await self.prefetch([reservation_id])
        return self._views[reservation_id]

    async def save(self, view: TrackingView) -> None:
        known = self._views.get(view.reservation_id)
        if view.version != (known.version if known else 0):
            raise ConcurrentModification(f"replayed view {view.reservation_id} is stale")
        self._views[view.reservation_id] = replace(view, version=view.version + 1)
        self._changed.add(view.reservation_id)
        if view.stock_item_name is None and view.stock_item_id is not None:
            self._nameless.add(view.stock_item_id)

    async def unnamed_for_stock_item(self, stock_item_id: str) -> list[TrackingView]:
        if stock_item_id not in self._nameless:
            return []
        self._nameless.discard(stock_item_id)
        for view in await self._copy.unnamed_for_stock_item(stock_item_id):
            self._views.setdefault(view.reservation_id, view)
        return [
            view
            for view in self._views.values()
            if view is not None and view.stock_item_id == stock_item_id and not view.stock_item_name
        ]

    def changed(self) -> list[TrackingView]:
        return [view for rid in sorted(self._changed) if (view := self._views[rid]) is not None]


class _MemoryCatalog(StockItemCatalog):
    def __init__(self, entries: dict[str, CatalogEntry]) -> None:
        self._entries = entries

    async def entry_of(self, stock_item_id: str) -> CatalogEntry | None:
        return self._entries.get(stock_item_id)

    async def remember(
        self,
        stock_item_id: str,
        name: str,
        *,
        warehouse: str | None = None,
        sku: str | None = None,
        threshold: int | None = None,
    ) -> None:
        """Only what views learn: the rest of the catalog is not theirs to rebuild."""
        self._entries.setdefault(stock_item_id, CatalogEntry(name, warehouse))

    async def move(self, stock_item_id: str, change: StockUnits) -> None:
        """Stock is kept live, not rebuilt with the tracking views."""


class _NoAlerts(StockAlerts):
    async def record(self, level: StockLevel) -> None:
        """Low-stock levels are kept live, not rebuilt with the tracking views."""


class _NoProgress(ProjectionProgress):
    async def record(self, projection: str, event: EventEnvelope) -> None:
        """A rebuild leaves the live subscribers' progress alone."""


class ReplayUnitOfWork(BackofficeUnitOfWork):
    """Nothing is handled twice in a replay (the log holds each event once), and the
    caller writes the batch's changes to the copy; commit and rollback do nothing."""

    def __init__(
        self, copy: TrackingCopy, entries: dict[str, CatalogEntry], nameless: set[str]
    ) -> None:
        self.views = ReplayViews(copy, nameless)
        self.tracking_views = self.views
        self.catalog = _MemoryCatalog(entries)
        self.stock_alerts = _NoAlerts()
        self.progress = _NoProgress()

    async def commit(self) -> None:
        return None

    async def rollback(self) -> None:
        return None

    async def claim(self, subscriber: str, event_id: str) -> bool:
        return True
