"""Read-only views of stock for the Inventory API (no aggregate is loaded)."""

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from logistics_platform.inventory.infrastructure.tables import stock_items


@dataclass(frozen=True, slots=True)
class StockItemSummary:
    id: str
    name: str
    quantity: int
    reserved: int
    on_hand: int
    version: int


@dataclass(frozen=True, slots=True)
class StockItemPage:
    items: list[StockItemSummary]
    total: int
    page: int
    size: int


_COLUMNS = (
    stock_items.c.id,
    stock_items.c.name,
    stock_items.c.available,
    stock_items.c.reserved,
    stock_items.c.version,
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

    async def page(self, *, page: int, size: int) -> StockItemPage:
        """Items ordered by name then id, so pages are stable."""
        async with self._engine.connect() as connection:
            total = await connection.scalar(select(func.count()).select_from(stock_items))
            rows = await connection.execute(
                select(*_COLUMNS)
                .order_by(stock_items.c.name, stock_items.c.id)
                .limit(size)
                .offset((page - 1) * size)
            )
            items = [_summary(*row) for row in rows]
        return StockItemPage(items=items, total=total or 0, page=page, size=size)


def _summary(id: str, name: str, available: int, reserved: int, version: int) -> StockItemSummary:
    return StockItemSummary(
        id=id,
        name=name,
        quantity=available,
        reserved=reserved,
        on_hand=available + reserved,
        version=version,
    )
