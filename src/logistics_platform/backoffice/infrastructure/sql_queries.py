"""The read API's questions, answered from the SQL tracking views (SQLite or PostgreSQL)."""

from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, func, literal_column, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from logistics_platform.backoffice.application.alert_queries import AlertsQuery, LowStockAlert
from logistics_platform.backoffice.application.ports import TrackingQueries
from logistics_platform.backoffice.application.queries import (
    Durations,
    Period,
    StockItemUnits,
    SummaryQuery,
    TrackingSearch,
    TrackingSummary,
    merge_daily,
    percentile,
)
from logistics_platform.backoffice.domain.stock_figures import StockItemFigures
from logistics_platform.backoffice.domain.tracking_view import TrackingStatus, TrackingView
from logistics_platform.backoffice.infrastructure.rows import to_view
from logistics_platform.backoffice.infrastructure.sql_alerts import low_stock
from logistics_platform.backoffice.infrastructure.sql_delivery_stats import delivery_stats
from logistics_platform.backoffice.infrastructure.sql_stock import stock_item
from logistics_platform.backoffice.infrastructure.sql_views import SqlTrackingViews
from logistics_platform.backoffice.infrastructure.tables import tracking_views
from logistics_platform.shared.application.paging import Page

c = tracking_views.c
_SORT_COLUMNS = {
    "createdAt": c.created_at,
    "updatedAt": c.updated_at,
    "reservationId": c.reservation_id,
}


class SqlTrackingQueries(TrackingQueries):
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def find(self, reservation_id: str) -> TrackingView | None:
        async with self._engine.connect() as connection:
            return await SqlTrackingViews(connection).get(reservation_id)

    async def find_by_tracking_number(self, tracking_number: str) -> TrackingView | None:
        async with self._engine.connect() as connection:
            row = (
                await connection.execute(
                    select(tracking_views).where(c.tracking_number == tracking_number).limit(1)
                )
            ).first()
        return None if row is None else to_view(row._mapping)

    async def search(self, search: TrackingSearch) -> Page[TrackingView]:
        async with self._engine.connect() as connection:
            conditions = _conditions(connection, search)
            total = await connection.scalar(
                select(func.count()).select_from(tracking_views).where(*conditions)
            )
            column = _SORT_COLUMNS[search.sort.key]
            order = [column.desc() if search.sort.descending else column.asc()]
            if column is not c.reservation_id:
                order.append(c.reservation_id.asc())
            rows = await connection.execute(
                select(tracking_views)
                .where(*conditions)
                .order_by(*order)
                .limit(search.size)
                .offset(search.offset)
            )
            items = [to_view(row._mapping) for row in rows]
        return Page(items=items, total=total or 0, page=search.page, size=search.size)

    async def summary(self, query: SummaryQuery) -> TrackingSummary:
        within = _in_period(query.period)
        async with self._engine.connect() as connection:
            by_status = dict.fromkeys(TrackingStatus, 0)
            for status, count in await connection.execute(
                select(c.status, func.count())
                .select_from(tracking_views)
                .where(*within)
                .group_by(c.status)
            ):
                by_status[TrackingStatus(status)] = count
            deliveries, by_carrier = await delivery_stats(connection, within)
            return TrackingSummary(
                total=sum(by_status.values()),
                by_status=by_status,
                top_stock_items=await _top_stock_items(connection, within, query.top),
                per_day=merge_daily(
                    await _per_day(connection, c.reserved_at, within),
                    await _per_day(connection, c.registered_at, within),
                    await _per_day(connection, c.delivered_at, within),
                ),
                to_registration=await _durations(connection, c.registered_at, within),
                to_delivery=await _durations(connection, c.delivered_at, within),
                deliveries=deliveries,
                by_carrier=by_carrier,
            )

    async def low_stock(self, query: AlertsQuery) -> Page[LowStockAlert]:
        return await low_stock(self._engine, query)

    async def stock_item(self, stock_item_id: str) -> StockItemFigures | None:
        return await stock_item(self._engine, stock_item_id)

    async def count(self) -> int:
        async with self._engine.connect() as connection:
            return int(
                await connection.scalar(select(func.count()).select_from(tracking_views)) or 0
            )


def _conditions(connection: AsyncConnection, search: TrackingSearch) -> list[ColumnElement[bool]]:
    conditions = _in_period(search.period)
    if search.status is not None:
        conditions.append(c.status == search.status.value)
    if search.stock_item_id is not None:
        conditions.append(c.stock_item_id == search.stock_item_id)
    if search.carrier is not None:
        conditions.append(c.carrier == search.carrier)
    if search.warehouse is not None:
        conditions.append(c.warehouse == search.warehouse)
    words = search.text_words
    if words and connection.dialect.name == "postgresql":
        prefixes = " & ".join(f"{word}:*" for word in words)
        conditions.append(
            func.to_tsvector(literal_column("'simple'"), c.search_text).op("@@")(
                func.to_tsquery(literal_column("'simple'"), prefixes)
            )
        )
    else:
        # Words are letters and digits only, so they hold no LIKE wildcard.
        conditions.extend(c.search_text.like(f"% {word}%") for word in words)
    return conditions


def _in_period(period: Period) -> list[ColumnElement[bool]]:
    conditions = []
    if period.start is not None:
        conditions.append(c.created_at >= period.start)
    if period.end is not None:
        conditions.append(c.created_at < period.end)
    return conditions


async def _top_stock_items(
    connection: AsyncConnection, within: list[ColumnElement[bool]], top: int
) -> list[StockItemUnits]:
    units = func.sum(c.reserved_quantity)
    rows = await connection.execute(
        select(c.stock_item_id, func.max(c.stock_item_name), units, func.count())
        .where(c.stock_item_id.is_not(None), *within)
        .group_by(c.stock_item_id)
        .order_by(units.desc(), c.stock_item_id)
        .limit(top)
    )
    return [StockItemUnits(item, name, int(total or 0), count) for item, name, total, count in rows]


async def _per_day(
    connection: AsyncConnection, column: ColumnElement[Any], within: list[ColumnElement[bool]]
) -> dict[date, int]:
    if connection.dialect.name == "postgresql":
        day: ColumnElement[Any] = func.date(func.timezone("UTC", column))
    else:
        day = func.date(column)  # stored as UTC text
    query: Select[Any] = select(day, func.count()).where(column.is_not(None), *within).group_by(day)
    return {
        value if isinstance(value, date) else date.fromisoformat(value): count
        for value, count in await connection.execute(query)
    }


async def _durations(
    connection: AsyncConnection, reached: ColumnElement[Any], within: list[ColumnElement[bool]]
) -> Durations:
    both = [c.reserved_at.is_not(None), reached.is_not(None), *within]
    if connection.dialect.name == "postgresql":
        elapsed: ColumnElement[Any] = func.extract("epoch", reached - c.reserved_at)
        row = (
            await connection.execute(
                select(
                    func.count(),
                    func.percentile_cont(0.5).within_group(elapsed),
                    func.percentile_cont(0.9).within_group(elapsed),
                ).where(*both)
            )
        ).one()
        return _rounded(row[0], row[1], row[2])
    elapsed = (func.julianday(reached) - func.julianday(c.reserved_at)) * 86400.0
    count = int(await connection.scalar(select(func.count()).where(*both)) or 0)
    ranked = select(elapsed).where(*both).order_by(elapsed)

    async def at(fraction: float) -> float | None:
        """Interpolated between the two closest ranks, fetched alone (SQLite sorts)."""
        if not count:
            return None
        rank = fraction * (count - 1)
        pair = [float(v) for v in await connection.scalars(ranked.limit(2).offset(int(rank)))]
        return percentile(pair, rank - int(rank))

    return _rounded(count, await at(0.5), await at(0.9))


def _rounded(count: int, median: float | None, p90: float | None) -> Durations:
    def seconds(value: float | None) -> float | None:
        return None if value is None else round(float(value), 3)

    return Durations(count=count, median=seconds(median), p90=seconds(p90))
