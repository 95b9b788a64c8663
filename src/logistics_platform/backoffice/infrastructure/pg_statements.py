"""The statements the SQL read store sends to PostgreSQL's driver directly (as the
reservation path does), inside the projector's transaction; concurrent batches take turns.

A batch of the tracking subscriber sends: its views' locks, its views, its catalog
entries' locks, their names, one statement writing every changed view, its progress.
Through SQLAlchemy each statement cost about as much CPU again as its round trip.
"""

import functools
import json
from datetime import datetime
from typing import Any

import asyncpg
from sqlalchemy import Table
from sqlalchemy.engine import make_url

from logistics_platform.backoffice.domain.tracking_view import TrackingView
from logistics_platform.backoffice.infrastructure.rows import to_values
from logistics_platform.shared.domain.errors import ConcurrentModification

# Advisory lock classes for "this reservation's view" and "this stock item's catalog
# entry". A batch holds its views' locks, then its entries', so that transactions on the
# same views wait for one another (rather than fail their version check and retry the
# whole batch), and so that naming a stock item's views cannot miss a view being created.
VIEW_LOCK = 4_040_405
CATALOG_LOCK = 4_040_404
_POSTGRESQL = make_url("postgresql+asyncpg://").get_dialect()()

# The locks of class $1 for the keys $2, taken in one order (of the keys' hashes): two
# transactions taking overlapping sets cannot deadlock.
_HOLD = """
    SELECT pg_advisory_xact_lock($1, held.key) FROM (
        SELECT DISTINCT hashtext(k) AS key FROM unnest($2::text[]) AS k ORDER BY key
    ) AS held
"""


# Built once per table (the live one, or a rebuild's copy), not per unit of work.
@functools.cache
def _columns(table: Table) -> list[tuple[str, str]]:
    """The table's columns with their PostgreSQL types, in the table's order."""
    return [(column.name, column.type.compile(dialect=_POSTGRESQL)) for column in table.c]


@functools.cache
def _select_views(table: Table) -> str:
    return f"SELECT * FROM {table.name} WHERE reservation_id = ANY($1::text[])"


@functools.cache
def _write_views(table: Table) -> str:
    """One array per column, then the version each view had when it was read: insert the
    views read at version 0, update the others where the stored version is still the one
    read. Returns how many rows it wrote, which the caller compares with how many it sent.

    Texts travel as ``text[]`` and are not cast on the way in: an explicit cast to
    ``varchar(n)`` would cut a longer value short, where the column refuses it."""
    columns = _columns(table)
    names = [name for name, _ in columns]
    arrays = [f"${n}::{_sent_as(kind)}[]" for n, (_, kind) in enumerate(columns, 1)]
    values = [f"saved.{name}{'::JSONB' if kind == 'JSONB' else ''}" for name, kind in columns]
    updates = [
        f"{name} = {value}"
        for name, value in zip(names, values, strict=True)
        if name != "reservation_id"
    ]
    return f"""
        WITH saved AS (
            SELECT * FROM unnest({", ".join(arrays)}, ${len(columns) + 1}::integer[])
                AS saved ({", ".join(names)}, seen)
        ), inserted AS (
            INSERT INTO {table.name} ({", ".join(names)})
            SELECT {", ".join(values)} FROM saved WHERE seen = 0
            ON CONFLICT (reservation_id) DO NOTHING
            RETURNING 1
        ), updated AS (
            UPDATE {table.name} AS view SET {", ".join(updates)}
            FROM saved
            WHERE saved.seen <> 0
              AND view.reservation_id = saved.reservation_id AND view.version = saved.seen
            RETURNING 1
        )
        SELECT (SELECT count(*) FROM inserted) + (SELECT count(*) FROM updated)
    """


def _sent_as(kind: str) -> str:
    """The type of a column's array: JSON as its text, texts of any length as text."""
    return "TEXT" if kind == "JSONB" or kind.startswith("VARCHAR") else kind


async def hold(driver: asyncpg.Connection, lock: int, keys: list[str]) -> None:
    """Take the locks of class ``lock`` on ``keys`` until the transaction ends: the other
    batches' transactions on them wait (and a read after it sees what they committed)."""
    await driver.execute(_HOLD, lock, keys)


async def select_views(driver: asyncpg.Connection, table: Table, keys: list[str]) -> list[Any]:
    """The views' turn taken, their rows."""
    await hold(driver, VIEW_LOCK, keys)
    rows: list[Any] = await driver.fetch(_select_views(table), keys)
    return rows


async def write_views(
    driver: asyncpg.Connection, table: Table, views: list[TrackingView], seen: dict[str, int]
) -> None:
    rows = [to_values(view, version=view.version) for view in views]
    arrays = [
        [_json(row[name]) if kind == "JSONB" else row[name] for row in rows]
        for name, kind in _columns(table)
    ]
    seen_versions = [seen[view.reservation_id] for view in views]
    written = await driver.fetchval(_write_views(table), *arrays, seen_versions)
    if written != len(views):
        raise ConcurrentModification("a tracking view was written meanwhile")


def _json(value: Any) -> str | None:
    return None if value is None else json.dumps(value)


_SELECT_ENTRIES = (
    "SELECT stock_item_id, name, warehouse FROM backoffice_stock_item_names"
    " WHERE stock_item_id = ANY($1::text[])"
)


async def select_entries(
    driver: asyncpg.Connection, keys: list[str]
) -> list[tuple[str, str, str | None]]:
    rows = await driver.fetch(_SELECT_ENTRIES, keys)
    return [(row["stock_item_id"], row["name"], row["warehouse"]) for row in rows]


# The furthest position never moves back (events of a batch may come out of order).
_RECORD_PROGRESS = """
    INSERT INTO backoffice_projection_progress AS progress
        (projection, position, event_id, occurred_on, applied_at)
    VALUES ($1, (SELECT max(position) FROM outbox WHERE event_id = ANY($2::text[])),
            $3, $4, now())
    ON CONFLICT (projection) DO UPDATE SET
        position = CASE
            WHEN excluded.position IS NOT NULL
             AND coalesce(progress.position, -1) < excluded.position
            THEN excluded.position ELSE progress.position END,
        event_id = excluded.event_id,
        occurred_on = excluded.occurred_on,
        applied_at = excluded.applied_at
"""


async def record_progress(
    driver: asyncpg.Connection,
    projection: str,
    event_ids: list[str],
    latest_id: str,
    occurred_on: datetime,
) -> None:
    await driver.execute(_RECORD_PROGRESS, projection, event_ids, latest_id, occurred_on)
