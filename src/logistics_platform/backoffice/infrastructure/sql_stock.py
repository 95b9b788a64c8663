"""Stock items' units on the SQL catalog (for both read stores: docs/adr/0004): each
event's change added to the item's row, and the item with its stock as the API shows it."""

import functools
from collections.abc import Mapping

from sqlalchemy import Insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from logistics_platform.backoffice.domain.stock_figures import StockItemFigures, StockUnits
from logistics_platform.backoffice.infrastructure.tables import stock_figures, stock_item_names

UNITS = ("available", "reserved", "shipped")


async def add_units(connection: AsyncConnection, changes: Mapping[str, StockUnits]) -> None:
    """Add each item's change to its row, in the items' order (two transactions lock the
    rows they share in the same order: no deadlock)."""
    if not changes:
        return
    await connection.execute(
        _adding_units(connection.dialect.name),
        [
            {"stock_item_id": item, **{name: getattr(changes[item], name) for name in UNITS}}
            for item in sorted(changes)
        ],
    )


@functools.cache
def _adding_units(dialect_name: str) -> Insert:
    insert = postgresql.insert if dialect_name == "postgresql" else sqlite.insert
    statement = insert(stock_figures)
    return statement.on_conflict_do_update(
        index_elements=[stock_figures.c.stock_item_id],
        set_={name: stock_figures.c[name] + statement.excluded[name] for name in UNITS},
    )


async def stock_item(engine: AsyncEngine, stock_item_id: str) -> StockItemFigures | None:
    """The item once added, with the units its events so far add up to."""
    items, units = stock_item_names.c, stock_figures.c
    async with engine.connect() as connection:
        row = (
            await connection.execute(
                select(
                    items.name,
                    items.warehouse,
                    items.sku,
                    items.low_stock_threshold,
                    *(units[name] for name in UNITS),
                )
                .select_from(
                    stock_item_names.outerjoin(
                        stock_figures, units.stock_item_id == items.stock_item_id
                    )
                )
                .where(items.stock_item_id == stock_item_id)
            )
        ).first()
    if row is None:
        return None
    return StockItemFigures(
        stock_item_id=stock_item_id,
        name=row.name,
        warehouse=row.warehouse,
        sku=row.sku,
        low_stock_threshold=row.low_stock_threshold or 0,
        stock=StockUnits(row.available or 0, row.reserved or 0, row.shipped or 0),
    )
