"""Low-stock alerts from the SQL catalog (served the same whichever store holds the views:
the catalog is in SQL for both)."""

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from logistics_platform.backoffice.application.alert_queries import AlertsQuery, LowStockAlert
from logistics_platform.backoffice.infrastructure.tables import stock_item_names, stock_levels
from logistics_platform.shared.application.paging import Page
from logistics_platform.shared.infrastructure.persistence.database import as_utc

levels, items = stock_levels.c, stock_item_names.c


async def low_stock(engine: AsyncEngine, query: AlertsQuery) -> Page[LowStockAlert]:
    """Items whose latest level is low, the oldest alert first."""
    joined = stock_levels.outerjoin(stock_item_names, items.stock_item_id == levels.stock_item_id)
    conditions: list[ColumnElement[bool]] = [levels.low.is_(True)]
    if query.warehouse is not None:
        conditions.append(items.warehouse == query.warehouse)
    async with engine.connect() as connection:
        total = await connection.scalar(select(func.count()).select_from(joined).where(*conditions))
        rows = await connection.execute(
            select(*levels, items.name, items.warehouse, items.sku)
            .select_from(joined)
            .where(*conditions)
            .order_by(levels.since, levels.stock_item_id)
            .limit(query.size)
            .offset(query.offset)
        )
        alerts = [
            LowStockAlert(
                stock_item_id=row.stock_item_id,
                stock_item_name=row.name,
                warehouse=row.warehouse,
                sku=row.sku,
                available=row.available,
                threshold=row.threshold,
                since=as_utc(row.since),
            )
            for row in rows
        ]
    return Page(items=alerts, total=total or 0, page=query.page, size=query.size)
