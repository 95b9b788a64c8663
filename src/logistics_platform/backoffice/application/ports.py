"""What the backoffice read side needs from a read store and from the event log."""

import abc
from collections.abc import Iterable, Mapping
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime

from logistics_platform.backoffice.application.alert_queries import AlertsQuery, LowStockAlert
from logistics_platform.backoffice.application.queries import (
    SummaryQuery,
    TrackingSearch,
    TrackingSummary,
)
from logistics_platform.backoffice.domain.stock_alerts import StockLevel
from logistics_platform.backoffice.domain.stock_figures import StockItemFigures, StockUnits
from logistics_platform.backoffice.domain.tracking_view import TrackingView
from logistics_platform.shared.application.envelope import EventEnvelope
from logistics_platform.shared.application.paging import Page
from logistics_platform.shared.application.unit_of_work import Causation, UnitOfWork


class TrackingViews(abc.ABC):
    """Tracking views by reservation id, as projectors read and write them."""

    @abc.abstractmethod
    async def get(self, reservation_id: str) -> TrackingView | None:
        """The view with its current ``version``, or ``None``."""

    @abc.abstractmethod
    async def save(self, view: TrackingView) -> None:
        """Store ``view`` as the next version; if the stored version is no longer
        ``view.version`` (someone else saved meanwhile) raise ``ConcurrentModification``."""

    @abc.abstractmethod
    async def unnamed_for_stock_item(self, stock_item_id: str) -> list[TrackingView]:
        """Views of this stock item that still lack its name (including this transaction's)."""

    async def prefetch(self, reservation_ids: Iterable[str]) -> None:  # noqa: B027 - a hint
        """These views are about to be read: a store may load them in one go."""


@dataclass(frozen=True, slots=True)
class CatalogEntry:
    """What a tracking view learns of its stock item."""

    name: str
    warehouse: str | None


class StockItemCatalog(abc.ABC):
    """Stock items (name, warehouse, sku, threshold), learned from ``inventory.stock_item.added``,
    and their stock, summed from Inventory's stock events.

    For one stock item, transactions that call ``entry_of`` or ``remember`` run one after
    the other, so a view saved without a name is always seen by the ``remember`` that
    follows and named there.
    """

    @abc.abstractmethod
    async def entry_of(self, stock_item_id: str) -> CatalogEntry | None: ...

    async def prefetch(self, stock_item_ids: Iterable[str]) -> None:  # noqa: B027 - a hint
        """These entries are about to be used: a store may take them in one go."""

    @abc.abstractmethod
    async def remember(
        self,
        stock_item_id: str,
        name: str,
        *,
        warehouse: str | None = None,
        sku: str | None = None,
        threshold: int | None = None,
    ) -> None:
        """Note the item as added (the first record of it stays)."""

    @abc.abstractmethod
    async def move(self, stock_item_id: str, change: StockUnits) -> None:
        """Add one event's ``change`` to the item's stock (the caller applies each event
        once; changes may come before the item is added)."""


class StockAlerts(abc.ABC):
    """Each stock item's latest low-stock level."""

    @abc.abstractmethod
    async def record(self, level: StockLevel) -> None:
        """Keep ``level`` unless a level of a later item version is already kept."""


class ProjectionProgress(abc.ABC):
    """The last event each projection applied (what its lag is measured from)."""

    @abc.abstractmethod
    async def record(self, projection: str, event: EventEnvelope) -> None:
        """Note, in this transaction, that ``projection`` applied ``event``."""


class BackofficeUnitOfWork(UnitOfWork):
    tracking_views: TrackingViews
    catalog: StockItemCatalog
    stock_alerts: StockAlerts
    progress: ProjectionProgress


class TrackingQueries(abc.ABC):
    """The read API's questions. Lists and analytics see writes once the store made them
    searchable (at once on SQL, within a second on Elasticsearch); ``find*`` at once."""

    @abc.abstractmethod
    async def find(self, reservation_id: str) -> TrackingView | None: ...

    @abc.abstractmethod
    async def find_by_tracking_number(self, tracking_number: str) -> TrackingView | None: ...

    @abc.abstractmethod
    async def search(self, search: TrackingSearch) -> Page[TrackingView]: ...

    @abc.abstractmethod
    async def summary(self, query: SummaryQuery) -> TrackingSummary: ...

    @abc.abstractmethod
    async def count(self) -> int:
        """How many tracking views there are."""

    @abc.abstractmethod
    async def low_stock(self, query: AlertsQuery) -> Page[LowStockAlert]:
        """Items whose latest low-stock level is low, oldest alert first."""

    @abc.abstractmethod
    async def stock_item(self, stock_item_id: str) -> StockItemFigures | None:
        """The item and its stock, once its ``added`` event is projected."""


class TrackingCopy(abc.ABC):
    """A fresh, empty copy of the tracking views that a rebuild fills, then swaps in."""

    @abc.abstractmethod
    async def get_many(self, reservation_ids: Iterable[str]) -> dict[str, TrackingView]: ...

    @abc.abstractmethod
    async def unnamed_for_stock_item(self, stock_item_id: str) -> list[TrackingView]: ...

    @abc.abstractmethod
    async def put_many(self, views: Iterable[TrackingView]) -> None:
        """Write these views as they are (the copy has a single writer)."""

    @abc.abstractmethod
    async def swap(self) -> None:
        """Replace the live views with the copy, in one step for readers."""


class TrackingStore(abc.ABC):
    """A read store for tracking views: the projectors' unit of work, the queries, and
    rebuilds. Selected by configuration (``READ_STORE``)."""

    kind: str
    # The backing service it needs besides the platform's database, if any (health checks).
    service: str | None
    queries: TrackingQueries

    @abc.abstractmethod
    def unit_of_work(self, causation: Causation) -> BackofficeUnitOfWork: ...

    @abc.abstractmethod
    async def start(self) -> None:
        """Create whatever the store needs and lacks (idempotent; at process start-up)."""

    @abc.abstractmethod
    async def refresh(self) -> None:
        """Make every write so far visible to searches (a no-op where it already is)."""

    @abc.abstractmethod
    async def answers(self) -> bool:
        """Whether the store can be reached right now (readiness and health checks)."""

    @abc.abstractmethod
    def rebuilding(self) -> AbstractAsyncContextManager[TrackingCopy]:
        """A fresh copy to rebuild into; discarded unless swapped in."""

    @abc.abstractmethod
    async def close(self) -> None: ...


@dataclass(frozen=True, slots=True)
class LoggedEvent:
    """An event and its position in the log."""

    position: int
    envelope: EventEnvelope


@dataclass(frozen=True, slots=True)
class ProjectionLag:
    """How far one projection (one subscriber) is behind the event log."""

    projection: str
    events: frozenset[str]
    position: int | None
    event_id: str | None
    occurred_on: datetime | None
    head: int
    behind: int
    seconds_behind: float


class EventLog(abc.ABC):
    """Every recorded event, in order of recording (the outbox).

    ``reorder_window``: how many positions before the last one read may still become
    visible later (concurrent writers can commit out of position order); 0 when writers
    are serialized.
    """

    reorder_window: int = 0

    @abc.abstractmethod
    async def read(self, *, after: int, names: frozenset[str], limit: int) -> list[LoggedEvent]: ...

    @abc.abstractmethod
    async def count(self, *, after: int, names: frozenset[str]) -> int: ...

    @abc.abstractmethod
    async def applied(self, projection: str) -> int | None:
        """The furthest position in the log that ``projection`` has applied (``None``
        before its first event)."""

    @abc.abstractmethod
    async def lag(self, projections: Mapping[str, frozenset[str]]) -> list[ProjectionLag]:
        """For each projection (name → events it follows): its last applied event, and
        how many of its events, and how many seconds, it is behind."""
