"""Read-only views of stock and reservations for the Inventory API (no aggregate is loaded)."""

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from logistics_platform.inventory.application.summaries import ReservationSummary, StockItemSummary
from logistics_platform.inventory.infrastructure.tables import reservations, stock_items
from logistics_platform.shared.application.paging import Page
from logistics_platform.shared.infrastructure.persistence.database import as_utc

_COLUMNS = (
    stock_items.c.id,
    stock_items.c.name,
    stock_items.c.available,
    stock_items.c.reserved,
    stock_items.c.version,
    stock_items.c.shipped,
    stock_items.c.warehouse,
    stock_items.c.sku,
    stock_items.c.low_stock_threshold,
)


class StockItemQueries:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def find(self, id: str) -> StockItemSummary | None:
        async with self._engine.connect() as connection:
            row = (
                await connection.execute(select(*_COLUMNS).where(stock_items.c.id == id))
            ).first()
        return None if row is None else _summary(*row)

    async def page(
        self, *, page: int, size: int, warehouse: str | None = None, low_stock: bool | None = None
    ) -> Page[StockItemSummary]:
        """Items ordered by name then id, so pages are stable; ``low_stock``: available
        below the item's threshold (or not)."""
        conditions: list[Any] = []
        if warehouse is not None:
            conditions.append(stock_items.c.warehouse == warehouse)
        if low_stock is not None:
            below = stock_items.c.available < stock_items.c.low_stock_threshold
            conditions.append(below if low_stock else ~below)
        async with self._engine.connect() as connection:
            total = await connection.scalar(
                select(func.count()).select_from(stock_items).where(*conditions)
            )
            rows = await connection.execute(
                select(*_COLUMNS)
                .where(*conditions)
                .order_by(stock_items.c.name, stock_items.c.id)
                .limit(size)
                .offset((page - 1) * size)
            )
            items = [_summary(*row) for row in rows]
        return Page(items=items, total=total or 0, page=page, size=size)

    async def reservation(self, reservation_id: str) -> ReservationSummary | None:
        async with self._engine.connect() as connection:
            row = (
                await connection.execute(
                    select(
                        reservations.c.reservation_id,
                        reservations.c.stock_item_id,
                        reservations.c.quantity,
                        reservations.c.status,
                        reservations.c.expires_at,
                        reservations.c.restocked,
                        reservations.c.problem,
                        reservations.c.reserved_at,
                    ).where(reservations.c.reservation_id == reservation_id)
                )
            ).first()
        if row is None:
            return None
        summary = ReservationSummary(*row)
        return _in_utc(summary)

    async def due_reservations(self, now: datetime, limit: int) -> list[str]:
        """Held reservations whose expiry is ``now`` or earlier, the oldest first."""
        async with self._engine.connect() as connection:
            found = await connection.scalars(
                select(reservations.c.reservation_id)
                .where(
                    reservations.c.status == "held",
                    reservations.c.expires_at.is_not(None),
                    reservations.c.expires_at <= now,
                )
                .order_by(reservations.c.expires_at)
                .limit(limit)
            )
            return list(found)


def _in_utc(summary: ReservationSummary) -> ReservationSummary:
    """SQLite hands back times without their zone: they are UTC."""
    expires_at, reserved_at = as_utc(summary.expires_at), as_utc(summary.reserved_at)
    return ReservationSummary(
        summary.reservation_id,
        summary.stock_item_id,
        summary.quantity,
        summary.status,
        expires_at,
        bool(summary.restocked),
        summary.problem,
        reserved_at,
    )


def _summary(  # noqa: PLR0917 - one row's columns
    id: str,
    name: str,
    available: int,
    reserved: int,
    version: int,
    shipped: int,
    warehouse: str,
    sku: str | None,
    threshold: int,
) -> StockItemSummary:
    return StockItemSummary(
        id=id,
        name=name,
        quantity=available,
        reserved=reserved,
        on_hand=available + reserved,
        version=version,
        shipped=shipped,
        warehouse=warehouse,
        sku=sku,
        low_stock_threshold=threshold,
    )
