"""Stock items on SQL, with optimistic concurrency on ``version``.

Reads go through :meth:`SqlStockItemRepository.prefetch` and writes through
:meth:`~SqlStockItemRepository.flush`, whether the unit of work handles one command or a
batch. On PostgreSQL both are one statement sent to asyncpg directly, inside the unit of
work's transaction: every reservation pays for them, and SQLAlchemy's per-statement
work costs about as much CPU as the round trip itself.
"""

from collections.abc import Iterable, Sequence
from typing import Any

import asyncpg
from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from logistics_platform.inventory.domain.repository import StockItemRepository
from logistics_platform.inventory.domain.stock_item import (
    Quantity,
    Reservation,
    ReservationId,
    StockItem,
    StockItemAlreadyExists,
    StockItemId,
    StockItemName,
    StockItemNotFound,
)
from logistics_platform.inventory.infrastructure.tables import reservations, stock_items
from logistics_platform.shared.domain.errors import ConcurrentModification

# The items locked in id order, so that transactions on overlapping items cannot
# deadlock, and the reservations recorded under the ids asked for. Items queue on their
# row lock rather than fail the version check and retry in a storm.
LOAD_ON_POSTGRESQL = """
    WITH item AS (
        SELECT id, name, available, reserved, version FROM inventory_stock_items
        WHERE id = ANY($1::text[]) ORDER BY id FOR UPDATE
    )
    SELECT id, name, available, reserved, version,
           NULL AS reservation_id, NULL AS stock_item_id, NULL::bigint AS quantity FROM item
    UNION ALL
    SELECT NULL, NULL, NULL, NULL, NULL, reservation_id, stock_item_id, quantity
    FROM inventory_reservations WHERE reservation_id = ANY($2::text[])
"""
# Each item checked against the version it was read at; the new reservations of every
# item that passed inserted. The caller compares the count with what it sent.
SAVE_ON_POSTGRESQL = """
    WITH changed AS (
        SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::bigint[], $5::bigint[])
            AS changed (id, version, name, available, reserved)
    ), updated AS (
        UPDATE inventory_stock_items AS item
        SET name = changed.name, available = changed.available,
            reserved = changed.reserved, version = changed.version + 1
        FROM changed
        WHERE item.id = changed.id AND item.version = changed.version
        RETURNING item.id
    ), recorded AS (
        INSERT INTO inventory_reservations (reservation_id, stock_item_id, quantity)
        SELECT reservation.id, reservation.item, reservation.quantity
        FROM unnest($6::text[], $7::text[], $8::bigint[]) AS reservation (id, item, quantity)
        WHERE reservation.item IN (SELECT id FROM updated)
    )
    SELECT count(*) FROM updated
"""
# The same on SQLite, whose transactions run one at a time (BEGIN IMMEDIATE).
_SELECT_ITEMS = select(stock_items).where(stock_items.c.id.in_(bindparam("ids", expanding=True)))
_SELECT_RESERVATIONS = select(reservations).where(
    reservations.c.reservation_id.in_(bindparam("ids", expanding=True))
)
_UPDATE_ITEM = (
    update(stock_items)
    .where(stock_items.c.id == bindparam("item_id"), stock_items.c.version == bindparam("read"))
    .values(
        name=bindparam("name"),
        available=bindparam("available"),
        reserved=bindparam("reserved"),
        version=bindparam("read") + 1,
    )
)
_INSERT_ITEM = insert(stock_items)
_INSERT_RESERVATION = insert(reservations)

_RESERVATION_COLUMNS = ("reservation_id", "stock_item_id", "quantity")
_Stock = tuple[str, int, int]  # what a save writes: name, available, reserved


class SqlStockItemRepository(StockItemRepository):
    def __init__(self, connection: AsyncConnection, driver: asyncpg.Connection | None) -> None:
        super().__init__()
        self._connection = connection
        self._driver = driver  # on PostgreSQL, the transaction's asyncpg connection
        self._items: dict[StockItemId, StockItem | None] = {}  # None: no such item
        self._as_read: dict[StockItemId, _Stock] = {}
        self._reservations: dict[ReservationId, Reservation | None] = {}
        self._new: list[StockItem] = []

    async def add(self, item: StockItem) -> None:
        if self._items.get(item.id) is not None:
            raise StockItemAlreadyExists(item.id)
        self._items[item.id] = item
        self._new.append(item)
        self.seen.append(item)

    async def get(self, id: StockItemId) -> StockItem:
        if id not in self._items:
            await self.prefetch([id], [])
        item = self._items[id]
        if item is None:
            raise StockItemNotFound(id)
        return item

    async def reservation(self, reservation_id: ReservationId) -> Reservation | None:
        for item in self._items.values():
            for made in item.new_reservations if item else ():
                if made.reservation_id == reservation_id:
                    return made
        if reservation_id not in self._reservations:
            await self.prefetch([], [reservation_id])
        return self._reservations[reservation_id]

    async def prefetch(
        self, ids: Iterable[StockItemId], reservation_ids: Iterable[ReservationId]
    ) -> None:
        wanted = sorted({id.value for id in ids} - {id.value for id in self._items})
        asked = sorted(
            {id.value for id in reservation_ids} - {id.value for id in self._reservations}
        )
        if not wanted and not asked:
            return
        items, found = await self._load(wanted, asked)
        self._items.update((StockItemId(id), None) for id in wanted)
        self._reservations.update((ReservationId(id), None) for id in asked)
        for row in items:
            item = _to_stock_item(row)
            self._items[item.id] = item
            self._as_read[item.id] = _stock(item)
            self.seen.append(item)
        for row in found:
            reservation = _to_reservation(row)
            self._reservations[reservation.reservation_id] = reservation

    async def _load(
        self, ids: list[str], reservation_ids: list[str]
    ) -> tuple[list[Any], list[Any]]:
        """The items' rows (locked) and the reservations' rows."""
        if self._driver is not None:
            rows = await self._driver.fetch(LOAD_ON_POSTGRESQL, ids, reservation_ids)
            return [r for r in rows if r["id"]], [r for r in rows if r["reservation_id"]]
        items = await self._connection.execute(_SELECT_ITEMS, {"ids": ids})
        found = await self._connection.execute(_SELECT_RESERVATIONS, {"ids": reservation_ids})
        return [row._mapping for row in items], [row._mapping for row in found]

    async def flush(self) -> None:
        new, self._new = self._new, []
        changed = [
            item
            for id, item in self._items.items()
            if item is not None and id in self._as_read and _stock(item) != self._as_read[id]
        ]
        if new:
            await self._insert(new)
        if changed:
            await self._save(changed)
        for item in changed:
            item.version += 1
            item.new_reservations.clear()
            self._as_read[item.id] = _stock(item)
        for item in new:
            item.new_reservations.clear()
            self._as_read[item.id] = _stock(item)

    async def _insert(self, items: list[StockItem]) -> None:
        """New items, and what was reserved on them in the same transaction."""
        try:
            await self._connection.execute(
                _INSERT_ITEM,
                [{"id": item.id.value, "version": item.version, **_values(item)} for item in items],
            )
        except IntegrityError:
            raise StockItemAlreadyExists(items[0].id) from None
        if new := [reservation for item in items for reservation in item.new_reservations]:
            await self._connection.execute(_INSERT_RESERVATION, _reservation_rows(new))

    async def _save(self, items: list[StockItem]) -> None:
        new = [reservation for item in items for reservation in item.new_reservations]
        try:
            saved = await self._write(items, new)
        except (IntegrityError, asyncpg.UniqueViolationError):
            raise ConcurrentModification("a reservation was recorded concurrently") from None
        if saved != len(items):
            raise ConcurrentModification("a stock item was changed concurrently")

    async def _write(self, items: list[StockItem], new: list[Reservation]) -> int:
        """Store the items if their versions are still the ones read, and ``new``; the
        number of items stored."""
        if self._driver is not None:
            saved: int = await self._driver.fetchval(
                SAVE_ON_POSTGRESQL,
                *_columns([(i.id.value, i.version, *_stock(i)) for i in items], width=5),
                *_columns([_reservation_row(reservation) for reservation in new], width=3),
            )
            return saved
        # One executemany: its row count is the sum of the rows each update changed.
        result = await self._connection.execute(
            _UPDATE_ITEM,
            [{"item_id": i.id.value, "read": i.version, **_values(i)} for i in items],
        )
        saved = result.rowcount
        if new and saved == len(items):
            await self._connection.execute(_INSERT_RESERVATION, _reservation_rows(new))
        return saved


def _stock(item: StockItem) -> _Stock:
    return item.name.value, item.available.value, item.reserved.value


def _values(item: StockItem) -> dict[str, Any]:
    name, available, reserved = _stock(item)
    return {"name": name, "available": available, "reserved": reserved}


def _reservation_row(reservation: Reservation) -> tuple[str, str, int]:
    return (
        reservation.reservation_id.value,
        reservation.stock_item_id.value,
        reservation.quantity.value,
    )


def _reservation_rows(new: list[Reservation]) -> list[dict[str, Any]]:
    return [dict(zip(_RESERVATION_COLUMNS, _reservation_row(r), strict=True)) for r in new]


def _columns(rows: Sequence[tuple[Any, ...]], *, width: int) -> list[list[Any]]:
    """The rows as one list per column (asyncpg's arrays)."""
    return [list(column) for column in zip(*rows, strict=True)] if rows else [[]] * width


def _to_stock_item(row: Any) -> StockItem:
    """From a row's mapping (SQLAlchemy) or record (asyncpg)."""
    return StockItem(
        id=StockItemId(row["id"]),
        name=StockItemName(row["name"]),
        available=Quantity(row["available"]),
        reserved=Quantity(row["reserved"]),
        version=row["version"],
    )


def _to_reservation(row: Any) -> Reservation:
    return Reservation(
        StockItemId(row["stock_item_id"]),
        ReservationId(row["reservation_id"]),
        Quantity(row["quantity"]),
    )
