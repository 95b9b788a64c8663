"""The SQL read store (SQLite embedded, or PostgreSQL), in the write side's database.

A rebuild fills ``backoffice_tracking_views_next`` batch by batch, then swaps it in with
one short transaction: drop the live table, rename the copy (and its indexes).
"""

from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import MetaData, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from logistics_platform.backoffice.application.ports import (
    BackofficeUnitOfWork,
    TrackingCopy,
    TrackingStore,
)
from logistics_platform.backoffice.domain.tracking_view import TrackingView
from logistics_platform.backoffice.infrastructure.rows import to_values, to_view
from logistics_platform.backoffice.infrastructure.sql_queries import SqlTrackingQueries
from logistics_platform.backoffice.infrastructure.sql_views import SqlTrackingViews
from logistics_platform.backoffice.infrastructure.tables import (
    TRACKING_VIEWS,
    tracking_indexes,
    tracking_table,
    tracking_views,
)
from logistics_platform.backoffice.infrastructure.unit_of_work import SqlBackofficeUnitOfWork
from logistics_platform.shared.application.unit_of_work import Causation
from logistics_platform.shared.infrastructure.persistence import database
from logistics_platform.shared.infrastructure.persistence.database import metadata

NEXT = f"{TRACKING_VIEWS}_next"
_CHUNK = 500


class SqlTrackingStore(TrackingStore):
    kind = "sql"
    service = None  # it lives in the database

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self.queries = SqlTrackingQueries(database.reader(engine))

    def unit_of_work(self, causation: Causation) -> BackofficeUnitOfWork:
        return SqlBackofficeUnitOfWork(self._engine, causation=causation)

    async def start(self) -> None:
        """Nothing to create: migrations own the schema."""

    async def refresh(self) -> None:
        """Committed rows are visible at once."""

    async def answers(self) -> bool:
        return await database.answers(self._engine)

    @asynccontextmanager
    async def rebuilding(self) -> AsyncIterator[TrackingCopy]:
        copy = SqlTrackingCopy(self._engine)
        await copy.create()
        try:
            yield copy
        finally:
            await copy.discard()

    async def close(self) -> None:
        """The engine belongs to the platform."""


class SqlTrackingCopy(TrackingCopy):
    """Each batch is its own short transaction (an embedded process has one connection,
    shared with the API and the live projectors)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._table = tracking_table(NEXT, MetaData(naming_convention=metadata.naming_convention))
        self._postgres = engine.dialect.name == "postgresql"

    async def create(self) -> None:
        async with self._engine.begin() as connection:
            await connection.execute(text(f"DROP TABLE IF EXISTS {NEXT}"))
            await connection.run_sync(self._table.create)

    async def discard(self) -> None:
        async with self._engine.begin() as connection:
            await connection.execute(text(f"DROP TABLE IF EXISTS {NEXT}"))

    async def get_many(self, reservation_ids: Iterable[str]) -> dict[str, TrackingView]:
        found: dict[str, TrackingView] = {}
        wanted = list(reservation_ids)
        async with self._engine.begin() as connection:
            for start in range(0, len(wanted), _CHUNK):
                chunk = wanted[start : start + _CHUNK]
                rows = await connection.execute(
                    select(self._table).where(self._table.c.reservation_id.in_(chunk))
                )
                found.update((row.reservation_id, to_view(row._mapping)) for row in rows)
        return found

    async def unnamed_for_stock_item(self, stock_item_id: str) -> list[TrackingView]:
        async with self._engine.begin() as connection:
            views = SqlTrackingViews(connection, table=self._table)
            return await views.unnamed_for_stock_item(stock_item_id)

    async def put_many(self, views: Iterable[TrackingView]) -> None:
        rows = [to_values(view, version=view.version) for view in views]
        if not rows:
            return
        dialect: Any = postgresql if self._postgres else sqlite
        statement = dialect.insert(self._table)
        upsert = statement.on_conflict_do_update(
            index_elements=[self._table.c.reservation_id],
            set_={name: statement.excluded[name] for name in rows[0]},
        )
        async with self._engine.begin() as connection:
            await connection.execute(upsert, rows)

    async def swap(self) -> None:
        if self._postgres:  # built before the swap, so the swap itself is quick
            async with self._engine.begin() as connection:
                await self._create_indexes(connection, suffix="_next")
            # A fresh table has no statistics (the planner would scan it all) and no
            # visibility map (counts would visit every row).
            async with self._engine.connect() as connection:
                autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
                await autocommit.execute(text(f"VACUUM (ANALYZE) {NEXT}"))
        async with self._engine.begin() as connection:
            await connection.execute(text(f"DROP TABLE {TRACKING_VIEWS}"))
            await connection.execute(text(f"ALTER TABLE {NEXT} RENAME TO {TRACKING_VIEWS}"))
            if self._postgres:
                await self._rename_indexes(connection)
            else:
                await self._create_indexes(connection, suffix="")
                await connection.execute(text(f"ANALYZE {TRACKING_VIEWS}"))

    async def _create_indexes(self, connection: AsyncConnection, *, suffix: str) -> None:
        target = self._table if suffix else tracking_table(TRACKING_VIEWS, MetaData())
        for index in tracking_indexes(target, suffix=suffix):
            await connection.run_sync(index.create)

    async def _rename_indexes(self, connection: AsyncConnection) -> None:
        names = [f"pk_{TRACKING_VIEWS}", *(str(index.name) for index in tracking_views.indexes)]
        for name in names:
            await connection.execute(text(f"ALTER INDEX {name}_next RENAME TO {name}"))
