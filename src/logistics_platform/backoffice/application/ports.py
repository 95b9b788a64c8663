"""What the backoffice projection needs from a read store."""

import abc
from dataclasses import dataclass

from logistics_platform.backoffice.domain.tracking_view import TrackingStatus, TrackingView
from logistics_platform.shared.application.unit_of_work import UnitOfWork


class TrackingViews(abc.ABC):
    """Tracking views by reservation id; ``save`` refuses a stale ``version`` with
    ``ConcurrentModification`` (projectors of different events may race on one view)."""

    @abc.abstractmethod
    async def get(self, reservation_id: str) -> TrackingView | None: ...

    @abc.abstractmethod
    async def save(self, view: TrackingView) -> None: ...

    @abc.abstractmethod
    async def unnamed_for_stock_item(self, stock_item_id: str) -> list[TrackingView]:
        """Views of this stock item that still lack its name."""


class StockItemCatalog(abc.ABC):
    """Stock item names, learned from ``inventory.stock_item.added``."""

    @abc.abstractmethod
    async def name_of(self, stock_item_id: str) -> str | None: ...

    @abc.abstractmethod
    async def remember(self, stock_item_id: str, name: str) -> None: ...


class BackofficeUnitOfWork(UnitOfWork):
    tracking_views: TrackingViews
    catalog: StockItemCatalog


@dataclass(frozen=True, slots=True)
class TrackingFilter:
    status: TrackingStatus | None = None
    stock_item_id: str | None = None


@dataclass(frozen=True, slots=True)
class TrackingPage:
    items: list[TrackingView]
    total: int
    page: int
    size: int


class TrackingQueries(abc.ABC):
    """The read API's questions."""

    @abc.abstractmethod
    async def find(self, reservation_id: str) -> TrackingView | None: ...

    @abc.abstractmethod
    async def search(self, filter: TrackingFilter, *, page: int, size: int) -> TrackingPage: ...
