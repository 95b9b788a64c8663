"""The projectors' side of the SQL read store: views, the catalog and progress, written in
the subscriber's transaction (together with the record of handled event ids).

On PostgreSQL (given the transaction's asyncpg ``driver``) a batch's statements go to the
driver directly (``pg_statements``) and take the locks that concurrent batches need;
SQLite runs one writer at a time.
"""

import functools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

import asyncpg
from sqlalchemy import (
    Insert,
    Select,
    Table,
    Update,
    and_,
    bindparam,
    case,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from logistics_platform.backoffice.application.ports import (
    ProjectionProgress,
    TrackingViews,
)
from logistics_platform.backoffice.domain.tracking_view import TrackingView
from logistics_platform.backoffice.infrastructure import pg_statements as on_postgresql
from logistics_platform.backoffice.infrastructure.rows import to_values, to_view
from logistics_platform.backoffice.infrastructure.tables import (
    projection_progress,
    tracking_views,
)
from logistics_platform.shared.application.envelope import (
    EventEnvelope,
)
from logistics_platform.shared.domain.errors import ConcurrentModification
from logistics_platform.shared.infrastructure.persistence.database import (
    as_utc,
    insert_ignoring_duplicates,
)
from logistics_platform.shared.infrastructure.persistence.tables import outbox


class SqlTrackingViews(TrackingViews):
    """Views prefetched for a batch are written back together by :meth:`flush` (one
    statement per kind of write, not one per event); any other save is written at once."""

    def __init__(
        self,
        connection: AsyncConnection,
        driver: asyncpg.Connection | None = None,
        table: Table = tracking_views,
    ) -> None:
        self._connection = connection
        self._driver = driver
        self._table = table
        self._prefetched: dict[str, TrackingView | None] = {}
        self._stored: dict[str, int] = {}  # version in the store of each view handed out
        self._pending: dict[str, TrackingView] = {}  # saved, to be written by flush
        self._stored_rows: dict[str, Mapping[str, Any]] = {}  # as last read or written

    async def prefetch(self, reservation_ids: Iterable[str]) -> None:
        """Load the batch's views at once."""
        wanted = sorted(set(reservation_ids) - self._pending.keys())
        rows = await self._rows(wanted)
        self._prefetched = dict.fromkeys(wanted)
        self._prefetched.update((row["reservation_id"], to_view(row)) for row in rows)
        if self._driver is None:  # PostgreSQL's batch writes whole rows (pg_statements)
            self._stored_rows.update((row["reservation_id"], row) for row in rows)

    async def _rows(self, reservation_ids: list[str]) -> Sequence[Any]:
        """The stored rows of these views (mappings or records)."""
        if self._driver is not None:
            return await on_postgresql.select_views(self._driver, self._table, reservation_ids)
        rows = await self._connection.execute(_select_views(self._table), {"keys": reservation_ids})
        return [row._mapping for row in rows]

    async def get(self, reservation_id: str) -> TrackingView | None:
        if reservation_id in self._pending:
            return self._pending[reservation_id]
        if reservation_id in self._prefetched:
            view = self._prefetched.pop(reservation_id)
            self._stored[reservation_id] = view.version if view else 0
            return view
        row = (
            await self._connection.execute(_select_view(self._table), {"key": reservation_id})
        ).first()
        return None if row is None else to_view(row._mapping)

    async def save(self, view: TrackingView) -> None:
        key = view.reservation_id
        latest = self._pending[key].version if key in self._pending else self._stored.get(key)
        if latest is not None:  # handed out by a prefetch: written back by flush
            if view.version != latest:
                raise ConcurrentModification(f"tracking view {key} changed meanwhile")
            self._pending[key] = replace(view, version=view.version + 1)
            return
        await self._write(view)

    async def _write(self, view: TrackingView) -> None:
        values = to_values(view, version=view.version + 1)
        if view.version == 0:
            statement = insert_ignoring_duplicates(self._connection, self._table)
            saved = await self._connection.execute(statement, values)
        else:
            saved = await self._connection.execute(
                _update_view(self._table),
                {**values, "key": view.reservation_id, "seen": view.version},
            )
        if saved.rowcount != 1:
            raise ConcurrentModification(f"tracking view {view.reservation_id} changed meanwhile")

    async def flush(self) -> None:
        """Write the pending views, checking that nobody else changed them meanwhile."""
        pending = [self._pending[key] for key in sorted(self._pending)]
        self._pending = {}
        seen = {view.reservation_id: self._stored[view.reservation_id] for view in pending}
        self._stored.update((view.reservation_id, view.version) for view in pending)
        if pending:
            await self._write_all(pending, seen)

    async def _write_all(self, views: list[TrackingView], seen: dict[str, int]) -> None:
        """The new views in one insert, the others in one batch of updates after checking
        their versions with their rows locked. ``seen``: each one's version in the store."""
        if self._driver is not None:
            await on_postgresql.write_views(self._driver, self._table, views, seen)
            return
        new = [view for view in views if seen[view.reservation_id] == 0]
        changed = [view for view in views if seen[view.reservation_id] != 0]
        # The rows before the statements: the first statement takes SQLite's write lock,
        # and what is worked out before it leaves the file to the other process.
        inserts = [to_values(view, version=view.version) for view in new]
        updates = self._updates(changed, seen)
        if inserts:
            # A plain insert: one statement text whatever the batch size (with RETURNING,
            # SQLAlchemy renders one VALUES list per size, each a statement to prepare).
            try:
                await self._connection.execute(_insert_views(self._table), inserts)
            except IntegrityError:
                raise ConcurrentModification("a tracking view was created meanwhile") from None
        if changed:
            keys = [view.reservation_id for view in changed]
            stored = dict(
                (await self._connection.execute(_lock_versions(self._table), {"keys": keys})).all()
            )
            if any(stored.get(key) != seen[key] for key in keys):
                raise ConcurrentModification("a tracking view changed meanwhile")
            for parameters in updates:  # the columns set are the parameters' keys
                await self._connection.execute(_update_view(self._table), parameters)
        self._stored_rows.update((row["reservation_id"], row) for row in inserts)

    def _updates(
        self, views: list[TrackingView], seen: dict[str, int]
    ) -> list[list[dict[str, Any]]]:
        """The updates of these views' rows, grouped by the columns they set: only those
        whose values changed, since SQLite rewrites the entries of every index on a column
        an update sets, changed or not (eight indexes for all the columns), and a
        package's registration changes a few."""
        updates: dict[tuple[str, ...], list[dict[str, Any]]] = {}
        for view in views:
            key = view.reservation_id
            row = to_values(view, version=view.version)
            columns = _changed(self._stored_rows.get(key), row)
            values = {column: row[column] for column in columns}
            updates.setdefault(columns, []).append({**values, "key": key, "seen": seen[key]})
            self._stored_rows[key] = row
        return list(updates.values())

    async def unnamed_for_stock_item(self, stock_item_id: str) -> list[TrackingView]:
        await self.flush()  # the query below must see this transaction's views
        rows = await self._connection.execute(
            select(self._table).where(
                self._table.c.stock_item_id == stock_item_id,
                self._table.c.stock_item_name.is_(None),
            )
        )
        return [to_view(row._mapping) for row in rows]


def _changed(stored: Mapping[str, Any] | None, row: dict[str, Any]) -> tuple[str, ...]:
    """The columns of ``row`` whose values differ from the ``stored`` row's (all of them
    if it is not known); datetimes compared in UTC, as SQLite keeps them without a zone."""
    if stored is None:
        return tuple(column for column in row if column != "reservation_id")
    return tuple(
        column
        for column, value in row.items()
        if column != "reservation_id" and not _same(stored[column], value)
    )


def _same(stored: Any, value: Any) -> bool:
    if isinstance(stored, datetime) and isinstance(value, datetime):
        return as_utc(stored) == as_utc(value)
    return bool(stored == value)


@functools.cache
def _insert_views(table: Table) -> Insert:
    return insert(table)


@functools.cache
def _lock_versions(table: Table) -> Select[Any]:
    return (
        select(table.c.reservation_id, table.c.version)
        .where(table.c.reservation_id.in_(bindparam("keys", expanding=True)))
        .order_by(table.c.reservation_id)
        .with_for_update()
    )


# Built once per table (the live one, or a rebuild's copy): reused statements skip
# SQLAlchemy's per-call cache-key work on the projectors' hot path.
@functools.cache
def _select_view(table: Table) -> Select[Any]:
    return select(table).where(table.c.reservation_id == bindparam("key"))


@functools.cache
def _select_views(table: Table) -> Select[Any]:
    return select(table).where(table.c.reservation_id.in_(bindparam("keys", expanding=True)))


@functools.cache
def _update_view(table: Table) -> Update:
    return update(table).where(
        table.c.reservation_id == bindparam("key"), table.c.version == bindparam("seen")
    )


class SqlProjectionProgress(ProjectionProgress):
    """Remembers the events applied in the transaction; :meth:`flush` writes one row per
    projection just before the commit, so that the transactions of one projection hold
    its row's lock for as little as possible."""

    def __init__(
        self, connection: AsyncConnection, driver: asyncpg.Connection | None = None
    ) -> None:
        self._connection = connection
        self._driver = driver
        self._applied: dict[str, list[EventEnvelope]] = {}

    async def record(self, projection: str, event: EventEnvelope) -> None:
        self._applied.setdefault(projection, []).append(event)

    async def flush(self) -> None:
        for projection, events in self._applied.items():
            latest = events[-1]
            await self._write(
                projection,
                [event.event_id for event in events],
                latest.event_id,
                latest.occurred_on,
            )
        self._applied = {}

    async def _write(
        self, projection: str, event_ids: list[str], latest_id: str, occurred_on: datetime
    ) -> None:
        """Upsert the projection's row: its latest event, and the furthest log position
        among ``event_ids``."""
        if self._driver is not None:
            await on_postgresql.record_progress(
                self._driver, projection, event_ids, latest_id, occurred_on
            )
            return
        await self._connection.execute(
            _recording_progress(self._connection.dialect.name),
            {
                "projection": projection,
                "event_ids": event_ids,
                "event_id": latest_id,
                "occurred_on": as_utc(occurred_on),
            },
        )


@functools.cache
def _recording_progress(dialect_name: str) -> Insert:
    """Upsert a projection's progress: the latest event applied, and the furthest position
    in the log among ``event_ids`` (it never moves back)."""
    insert = postgresql.insert if dialect_name == "postgresql" else sqlite.insert
    position = (
        select(func.max(outbox.c.position))
        .where(outbox.c.event_id.in_(bindparam("event_ids", expanding=True)))
        .scalar_subquery()
    )
    statement = insert(projection_progress).values(
        projection=bindparam("projection"),
        position=position,
        event_id=bindparam("event_id"),
        occurred_on=bindparam("occurred_on"),
        applied_at=func.now(),
    )
    current, new = projection_progress.c.position, statement.excluded.position
    further = and_(new.is_not(None), func.coalesce(current, -1) < new)
    return statement.on_conflict_do_update(
        index_elements=[projection_progress.c.projection],
        set_={
            "position": case((further, new), else_=current),
            "event_id": statement.excluded.event_id,
            "occurred_on": statement.excluded.occurred_on,
            "applied_at": statement.excluded.applied_at,
        },
    )
