"""The Elasticsearch read store: tracking views in ``<alias>_v<N>`` behind ``<alias>``.

Views are written with external versions (the view's version), so two projectors racing
on one view cannot both win: the loser gets ``ConcurrentModification`` and retries.
Elasticsearch has no transaction shared with the SQL record of handled events, so a
delivery that fails after its write is applied again later; the projection is idempotent
and order-tolerant, which makes that harmless. The stock item catalog and the progress
stay in SQL, in the subscriber's transaction (docs/adr/0004-read-store.md).
"""

from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager, suppress
from typing import Any

from elasticsearch import AsyncElasticsearch, BadRequestError, ConflictError, NotFoundError
from elasticsearch.helpers import async_bulk, async_scan
from sqlalchemy.ext.asyncio import AsyncEngine

from logistics_platform.backoffice.application.alert_queries import AlertsQuery, LowStockAlert
from logistics_platform.backoffice.application.ports import (
    BackofficeUnitOfWork,
    TrackingCopy,
    TrackingQueries,
    TrackingStore,
    TrackingViews,
)
from logistics_platform.backoffice.application.queries import (
    SummaryQuery,
    TrackingSearch,
    TrackingSummary,
)
from logistics_platform.backoffice.domain.stock_figures import StockItemFigures
from logistics_platform.backoffice.domain.tracking_view import TrackingView
from logistics_platform.backoffice.infrastructure import es_analytics as analytics
from logistics_platform.backoffice.infrastructure import es_documents as documents
from logistics_platform.backoffice.infrastructure.es_indices import TrackingIndices
from logistics_platform.backoffice.infrastructure.sql_alerts import low_stock
from logistics_platform.backoffice.infrastructure.sql_catalog import (
    SqlStockAlerts,
    SqlStockItemCatalog,
)
from logistics_platform.backoffice.infrastructure.sql_stock import stock_item
from logistics_platform.backoffice.infrastructure.sql_views import (
    SqlProjectionProgress,
)
from logistics_platform.shared.application.paging import Page
from logistics_platform.shared.application.unit_of_work import Causation
from logistics_platform.shared.domain.errors import ConcurrentModification
from logistics_platform.shared.infrastructure.persistence import database
from logistics_platform.shared.infrastructure.persistence.unit_of_work import SqlUnitOfWork


class EsTrackingViews(TrackingViews):
    def __init__(self, client: AsyncElasticsearch, index: str) -> None:
        self._client = client
        self._index = index

    async def get(self, reservation_id: str) -> TrackingView | None:
        try:
            found = await self._client.get(index=self._index, id=reservation_id)
        except NotFoundError:
            return None
        return documents.from_document(found["_source"], version=found["_version"])

    async def save(self, view: TrackingView) -> None:
        try:
            await self._client.index(
                index=self._index,
                id=view.reservation_id,
                document=documents.to_document(view),
                version=view.version + 1,
                version_type="external",
            )
        except ConflictError:
            raise ConcurrentModification(
                f"tracking view {view.reservation_id} changed meanwhile"
            ) from None

    async def unnamed_for_stock_item(self, stock_item_id: str) -> list[TrackingView]:
        # Searches see what was refreshed; this runs once per stock item added.
        await self._client.indices.refresh(index=self._index)
        return [
            documents.from_document(hit["_source"], version=hit["_version"])
            async for hit in async_scan(
                self._client,
                index=self._index,
                query={"query": documents.unnamed_query(stock_item_id), "version": True},
            )
        ]


class EsBackofficeUnitOfWork(SqlUnitOfWork, BackofficeUnitOfWork):
    def __init__(
        self, engine: AsyncEngine, *, causation: Causation, client: AsyncElasticsearch, index: str
    ) -> None:
        super().__init__(engine, causation=causation)
        self._client = client
        self._index = index

    def _open(self) -> None:
        self.tracking_views = EsTrackingViews(self._client, self._index)
        self.catalog = self._catalog = SqlStockItemCatalog(self.connection, self.driver)
        self.stock_alerts = SqlStockAlerts(self.connection)
        self.progress = self._progress = SqlProjectionProgress(self.connection, self.driver)

    async def _before_commit(self) -> None:
        await self._catalog.flush()
        await self._progress.flush()


class EsTrackingQueries(TrackingQueries):
    """Views from Elasticsearch; low-stock alerts and stock from the SQL catalog."""

    def __init__(self, client: AsyncElasticsearch, alias: str, engine: AsyncEngine) -> None:
        self._client = client
        self._alias = alias
        self._engine = engine

    async def find(self, reservation_id: str) -> TrackingView | None:
        return await EsTrackingViews(self._client, self._alias).get(reservation_id)

    async def find_by_tracking_number(self, tracking_number: str) -> TrackingView | None:
        found = await self._client.search(
            index=self._alias,
            query={"term": {"trackingNumber": tracking_number}},
            size=1,
            version=True,
        )
        hits = found["hits"]["hits"]
        return (
            documents.from_document(hits[0]["_source"], version=hits[0]["_version"])
            if hits
            else None
        )

    async def search(self, search: TrackingSearch) -> Page[TrackingView]:
        found = await self._client.search(index=self._alias, **documents.search_request(search))
        return Page(
            items=[
                documents.from_document(hit["_source"], version=hit["_version"])
                for hit in found["hits"]["hits"]
            ],
            total=found["hits"]["total"]["value"],
            page=search.page,
            size=search.size,
        )

    async def summary(self, query: SummaryQuery) -> TrackingSummary:
        found = await self._client.search(index=self._alias, **analytics.summary_request(query))
        return analytics.to_summary(found["aggregations"])

    async def count(self) -> int:
        return int((await self._client.count(index=self._alias))["count"])

    async def low_stock(self, query: AlertsQuery) -> Page[LowStockAlert]:
        return await low_stock(self._engine, query)

    async def stock_item(self, stock_item_id: str) -> StockItemFigures | None:
        return await stock_item(self._engine, stock_item_id)


class EsTrackingStore(TrackingStore):
    kind = service = "elasticsearch"

    def __init__(self, client: AsyncElasticsearch, engine: AsyncEngine, *, alias: str) -> None:
        self._client = client
        self._engine = engine
        self._indices = TrackingIndices(client, alias)
        self._alias = alias
        self.queries = EsTrackingQueries(client, alias, database.reader(engine))

    def unit_of_work(self, causation: Causation) -> BackofficeUnitOfWork:
        return EsBackofficeUnitOfWork(
            self._engine, causation=causation, client=self._client, index=self._alias
        )

    async def start(self) -> None:
        await self._indices.ensure()

    async def refresh(self) -> None:
        await self._client.indices.refresh(index=self._alias)

    async def answers(self) -> bool:
        return await self._client.ping()

    @asynccontextmanager
    async def rebuilding(self) -> AsyncIterator[TrackingCopy]:
        copy = EsTrackingCopy(self._client, self._indices, await self._indices.create_next())
        try:
            yield copy
        finally:
            await copy.discard()

    async def delete_indices(self) -> None:
        """Delete every ``<alias>_v<N>`` index, and so the alias (tests, decommissioning)."""
        await self._indices.delete_all()

    async def close(self) -> None:
        await self._client.close()


class EsTrackingCopy(TrackingCopy):
    def __init__(self, client: AsyncElasticsearch, indices: TrackingIndices, index: str) -> None:
        self._client = client
        self._indices = indices
        self._index = index
        self._swapped = False

    async def get_many(self, reservation_ids: Iterable[str]) -> dict[str, TrackingView]:
        found = await self._client.mget(index=self._index, ids=list(reservation_ids))
        return {
            doc["_id"]: documents.from_document(doc["_source"], version=doc["_version"])
            for doc in found["docs"]
            if doc.get("found")
        }

    async def unnamed_for_stock_item(self, stock_item_id: str) -> list[TrackingView]:
        return await EsTrackingViews(self._client, self._index).unnamed_for_stock_item(
            stock_item_id
        )

    async def put_many(self, views: Iterable[TrackingView]) -> None:
        actions: list[dict[str, Any]] = [
            {
                "_index": self._index,
                "_id": view.reservation_id,
                "_source": documents.to_document(view),
                "version": view.version,
                "version_type": "external",
            }
            for view in views
        ]
        if actions:
            await async_bulk(self._client, actions)

    async def swap(self) -> None:
        await self._indices.seal(self._index)
        await self._indices.point_alias_at(self._index)
        self._swapped = True

    async def discard(self) -> None:
        if not self._swapped:
            with suppress(NotFoundError, BadRequestError):
                await self._client.indices.delete(index=self._index)
