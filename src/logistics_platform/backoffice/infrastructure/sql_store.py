"""Tracking views and the stock item catalog on SQLAlchemy Core."""

from typing import Any

from sqlalchemy import Select, func, select, update
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from logistics_platform.backoffice.application.ports import (
    BackofficeUnitOfWork,
    StockItemCatalog,
    TrackingFilter,
    TrackingPage,
    TrackingQueries,
    TrackingViews,
)
from logistics_platform.backoffice.domain.tracking_view import (
    TimelineEntry,
    TrackingStatus,
    TrackingView,
)
from logistics_platform.backoffice.infrastructure.tables import stock_item_names, tracking_views
from logistics_platform.shared.application.envelope import format_timestamp, parse_timestamp
from logistics_platform.shared.domain.errors import ConcurrentModification
from logistics_platform.shared.infrastructure.database import insert_ignoring_duplicates
from logistics_platform.shared.infrastructure.unit_of_work import SqlUnitOfWork


class SqlTrackingViews(TrackingViews):
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def get(self, reservation_id: str) -> TrackingView | None:
        row = (
            await self._connection.execute(
                select(tracking_views).where(tracking_views.c.reservation_id == reservation_id)
            )
        ).first()
        return None if row is None else to_view(row)

    async def save(self, view: TrackingView) -> None:
        values = _to_row(view)
        if view.version == 0:
            statement: Any = insert_ignoring_duplicates(self._connection, tracking_views).values(
                values
            )
        else:
            statement = (
                update(tracking_views)
                .where(
                    tracking_views.c.reservation_id == view.reservation_id,
                    tracking_views.c.version == view.version,
                )
                .values(values)
            )
        if (await self._connection.execute(statement)).rowcount != 1:
            raise ConcurrentModification(f"tracking view {view.reservation_id} changed meanwhile")

    async def unnamed_for_stock_item(self, stock_item_id: str) -> list[TrackingView]:
        rows = await self._connection.execute(
            select(tracking_views).where(
                tracking_views.c.stock_item_id == stock_item_id,
                tracking_views.c.stock_item_name.is_(None),
            )
        )
        return [to_view(row) for row in rows]


class SqlStockItemCatalog(StockItemCatalog):
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def name_of(self, stock_item_id: str) -> str | None:
        name: str | None = await self._connection.scalar(
            select(stock_item_names.c.name).where(stock_item_names.c.stock_item_id == stock_item_id)
        )
        return name

    async def remember(self, stock_item_id: str, name: str) -> None:
        await self._connection.execute(
            insert_ignoring_duplicates(self._connection, stock_item_names).values(
                stock_item_id=stock_item_id, name=name
            )
        )


class SqlBackofficeUnitOfWork(SqlUnitOfWork, BackofficeUnitOfWork):
    def _open(self, connection: AsyncConnection) -> None:
        self.tracking_views = SqlTrackingViews(connection)
        self.catalog = SqlStockItemCatalog(connection)


class SqlTrackingQueries(TrackingQueries):
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def find(self, reservation_id: str) -> TrackingView | None:
        async with self._engine.connect() as connection:
            return await SqlTrackingViews(connection).get(reservation_id)

    async def search(self, filter: TrackingFilter, *, page: int, size: int) -> TrackingPage:
        """Newest first, then by reservation id, so pages are stable."""
        query = _filtered(select(tracking_views), filter)
        async with self._engine.connect() as connection:
            total = await connection.scalar(
                _filtered(select(func.count()).select_from(tracking_views), filter)
            )
            rows = await connection.execute(
                query.order_by(tracking_views.c.created_at.desc(), tracking_views.c.reservation_id)
                .limit(size)
                .offset((page - 1) * size)
            )
            items = [to_view(row) for row in rows]
        return TrackingPage(items=items, total=total or 0, page=page, size=size)


def _filtered(query: Select[Any], filter: TrackingFilter) -> Select[Any]:
    if filter.status is not None:
        query = query.where(tracking_views.c.status == filter.status.value)
    if filter.stock_item_id is not None:
        query = query.where(tracking_views.c.stock_item_id == filter.stock_item_id)
    return query


def _to_row(view: TrackingView) -> dict[str, Any]:
    return {
        "reservation_id": view.reservation_id,
        "stock_item_id": view.stock_item_id,
        "stock_item_name": view.stock_item_name,
        "reserved_quantity": view.reserved_quantity,
        "package_id": view.package_id,
        "tracking_number": view.tracking_number,
        "status": view.status.value,
        "timeline": [
            {"status": entry.status.value, "occurredOn": format_timestamp(entry.occurred_on)}
            for entry in view.timeline
        ],
        "created_at": view.created_at,
        "updated_at": view.updated_at,
        "version": view.version + 1,
    }


def to_view(row: Row[Any]) -> TrackingView:
    return TrackingView(
        reservation_id=row.reservation_id,
        stock_item_id=row.stock_item_id,
        stock_item_name=row.stock_item_name,
        reserved_quantity=row.reserved_quantity,
        package_id=row.package_id,
        tracking_number=row.tracking_number,
        timeline=tuple(
            TimelineEntry(parse_timestamp(entry["occurredOn"]), TrackingStatus(entry["status"]))
            for entry in row.timeline
        ),
        version=row.version,
    )
