"""The catalog side of the SQL read store: stock items as added (name, warehouse, sku,
threshold), their units and their latest low-stock levels, written in the catalog
subscriber's transaction (both read stores keep these in SQL: docs/adr/0004)."""

import functools
from collections.abc import Iterable

import asyncpg
from sqlalchemy import Insert, bindparam, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from logistics_platform.backoffice.application.ports import (
    CatalogEntry,
    StockAlerts,
    StockItemCatalog,
)
from logistics_platform.backoffice.domain.stock_alerts import StockLevel
from logistics_platform.backoffice.domain.stock_figures import StockUnits
from logistics_platform.backoffice.infrastructure import pg_statements as on_postgresql
from logistics_platform.backoffice.infrastructure.sql_stock import add_units
from logistics_platform.backoffice.infrastructure.tables import stock_item_names, stock_levels
from logistics_platform.shared.infrastructure.persistence.database import (
    as_utc,
    insert_ignoring_duplicates,
)


class SqlStockItemCatalog(StockItemCatalog):
    """Once this transaction holds a stock item's entry, it cannot change under it: it is
    read once. Stock changes are summed per item and written by :meth:`flush`."""

    def __init__(
        self, connection: AsyncConnection, driver: asyncpg.Connection | None = None
    ) -> None:
        self._connection = connection
        self._driver = driver
        self._held: set[str] = set()
        self._entries: dict[str, CatalogEntry | None] = {}
        self._changes: dict[str, StockUnits] = {}

    async def prefetch(self, stock_item_ids: Iterable[str]) -> None:
        """Hold the entries (all at once, in one order: no deadlock between two batches)
        and read them."""
        wanted = sorted(set(stock_item_ids) - self._entries.keys())
        await self._hold_once(wanted)
        self._entries.update(dict.fromkeys(wanted))
        self._entries.update(
            (item, CatalogEntry(name, warehouse))
            for item, name, warehouse in await self._rows(wanted)
        )

    async def entry_of(self, stock_item_id: str) -> CatalogEntry | None:
        if stock_item_id not in self._entries:
            await self.prefetch([stock_item_id])
        return self._entries[stock_item_id]

    async def remember(
        self,
        stock_item_id: str,
        name: str,
        *,
        warehouse: str | None = None,
        sku: str | None = None,
        threshold: int | None = None,
    ) -> None:
        await self._hold_once([stock_item_id])
        self._entries.pop(stock_item_id, None)
        await self._connection.execute(
            insert_ignoring_duplicates(self._connection, stock_item_names),
            {
                "stock_item_id": stock_item_id,
                "name": name,
                "warehouse": warehouse,
                "sku": sku,
                "low_stock_threshold": threshold,
            },
        )

    async def move(self, stock_item_id: str, change: StockUnits) -> None:
        self._changes[stock_item_id] = self._changes.get(stock_item_id, StockUnits()) + change

    async def flush(self) -> None:
        """Write the stock changes summed so far (one row per item)."""
        changes, self._changes = self._changes, {}
        await add_units(self._connection, changes)

    async def _hold_once(self, stock_item_ids: list[str]) -> None:
        if missing := [id for id in stock_item_ids if id not in self._held]:
            await self._hold(missing)
            self._held.update(missing)

    async def _hold(self, stock_item_ids: list[str]) -> None:
        """Keep other transactions off these entries until this one ends (no need on
        SQLite, whose writers take turns)."""
        if self._driver is not None:
            await on_postgresql.hold(self._driver, on_postgresql.CATALOG_LOCK, stock_item_ids)

    async def _rows(self, stock_item_ids: list[str]) -> list[tuple[str, str, str | None]]:
        """The known items among these, as (id, name, warehouse)."""
        if self._driver is not None:
            return await on_postgresql.select_entries(self._driver, stock_item_ids)
        rows = await self._connection.execute(_select_entries, {"keys": stock_item_ids})
        return [(row.stock_item_id, row.name, row.warehouse) for row in rows]


_select_entries = select(stock_item_names).where(
    stock_item_names.c.stock_item_id.in_(bindparam("keys", expanding=True))
)


class SqlStockAlerts(StockAlerts):
    """One upsert per level: it lands only over an older version (concurrent deliveries
    of one item's levels serialize on its row)."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def record(self, level: StockLevel) -> None:
        await self._connection.execute(
            _recording_level(self._connection.dialect.name),
            {
                "stock_item_id": level.stock_item_id,
                "low": level.low,
                "available": level.available,
                "threshold": level.threshold,
                "since": as_utc(level.since),
                "version": level.version,
            },
        )


@functools.cache
def _recording_level(dialect_name: str) -> Insert:
    insert = postgresql.insert if dialect_name == "postgresql" else sqlite.insert
    statement = insert(stock_levels)
    new = statement.excluded
    return statement.on_conflict_do_update(
        index_elements=[stock_levels.c.stock_item_id],
        set_={name: new[name] for name in ("low", "available", "threshold", "since", "version")},
        where=stock_levels.c.version < new.version,
    )
