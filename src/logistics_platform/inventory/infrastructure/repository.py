"""Stock items on SQLAlchemy Core, with optimistic concurrency on ``version``; on
PostgreSQL the reservation path goes to the driver directly.

Statements are built once: reusing the same statement object lets SQLAlchemy skip
rebuilding its cache key on every call, which matters on the reservation hot path.
"""

from collections.abc import Sequence
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

_INSERT_ITEM = insert(stock_items)
_SELECT_ITEM = select(stock_items).where(stock_items.c.id == bindparam("item_id"))
_SELECT_ITEM_AND_RESERVATION = (
    select(
        stock_items,
        reservations.c.stock_item_id.label("reserved_item_id"),
        reservations.c.quantity.label("reserved_quantity"),
    )
    .outerjoin(reservations, reservations.c.reservation_id == bindparam("reservation_id"))
    .where(stock_items.c.id == bindparam("item_id"))
    # Reservations of one hot item queue on its row lock instead of failing the version
    # check and retrying in a storm; the version check still guards every write.
    .with_for_update(of=stock_items)
)
_UPDATE_ITEM = (
    update(stock_items)
    .where(
        stock_items.c.id == bindparam("item_id"),
        stock_items.c.version == bindparam("expected_version"),
    )
    .values(
        name=bindparam("name"),
        available=bindparam("available"),
        reserved=bindparam("reserved"),
        version=bindparam("version"),
    )
)
_INSERT_RESERVATION = insert(reservations)
# Locked in one order, so that transactions reserving on overlapping items cannot deadlock.
_SELECT_ITEMS_FOR_RESERVING = (
    select(stock_items)
    .where(stock_items.c.id.in_(bindparam("ids", expanding=True)))
    .order_by(stock_items.c.id)
    .with_for_update()
)
_SELECT_RESERVATIONS = select(reservations).where(
    reservations.c.reservation_id.in_(bindparam("ids", expanding=True))
)


class SqlStockItemRepository(StockItemRepository):
    def __init__(self, connection: AsyncConnection) -> None:
        super().__init__()
        self._connection = connection

    async def add(self, item: StockItem) -> None:
        try:
            await self._connection.execute(
                _INSERT_ITEM,
                {
                    "id": item.id.value,
                    "name": item.name.value,
                    "available": item.available.value,
                    "reserved": item.reserved.value,
                    "version": item.version,
                },
            )
        except IntegrityError:
            raise StockItemAlreadyExists(item.id) from None
        self.seen.append(item)

    async def get(self, id: StockItemId) -> StockItem:
        row = (await self._connection.execute(_SELECT_ITEM, {"item_id": id.value})).first()
        if row is None:
            raise StockItemNotFound(id)
        item = _to_stock_item(row._mapping)
        self.seen.append(item)
        return item

    async def get_with_reservation(
        self, id: StockItemId, reservation_id: ReservationId
    ) -> tuple[StockItem, Reservation | None]:
        row = (
            await self._connection.execute(
                _SELECT_ITEM_AND_RESERVATION,
                {"item_id": id.value, "reservation_id": reservation_id.value},
            )
        ).first()
        return self._found_with_reservation(id, reservation_id, row and row._mapping)

    async def get_for_reserving(
        self, ids: Sequence[StockItemId], reservation_ids: Sequence[ReservationId]
    ) -> tuple[dict[StockItemId, StockItem], dict[ReservationId, Reservation]]:
        if not ids:
            return {}, {}
        items, found = await self._rows_for_reserving(
            sorted({id.value for id in ids}), sorted({id.value for id in reservation_ids})
        )
        by_id = {item.id: item for item in map(_to_stock_item, items)}
        self.seen.extend(by_id.values())
        recorded = {
            ReservationId(row["reservation_id"]): Reservation(
                StockItemId(row["stock_item_id"]),
                ReservationId(row["reservation_id"]),
                Quantity(row["quantity"]),
            )
            for row in found
        }
        return by_id, recorded

    async def _rows_for_reserving(
        self, item_ids: list[str], reservation_ids: list[str]
    ) -> tuple[Sequence[Any], Sequence[Any]]:
        """The items' rows (locked) and the reservations' rows, as mappings."""
        items = await self._connection.execute(_SELECT_ITEMS_FOR_RESERVING, {"ids": item_ids})
        found = await self._connection.execute(_SELECT_RESERVATIONS, {"ids": reservation_ids})
        return [row._mapping for row in items], [row._mapping for row in found]

    def _found_with_reservation(
        self, id: StockItemId, reservation_id: ReservationId, row: Any
    ) -> tuple[StockItem, Reservation | None]:
        if row is None:
            raise StockItemNotFound(id)
        item = _to_stock_item(row)
        self.seen.append(item)
        if row["reserved_item_id"] is None:
            return item, None
        existing = Reservation(
            StockItemId(row["reserved_item_id"]), reservation_id, Quantity(row["reserved_quantity"])
        )
        return item, existing

    async def save(self, item: StockItem) -> None:
        changed = await self._connection.execute(
            _UPDATE_ITEM,
            {
                "item_id": item.id.value,
                "expected_version": item.version,
                "name": item.name.value,
                "available": item.available.value,
                "reserved": item.reserved.value,
                "version": item.version + 1,
            },
        )
        if changed.rowcount != 1:
            raise ConcurrentModification(f"stock item {item.id} was changed concurrently")
        if item.new_reservations:
            await self._insert_reservations(item)
        item.version += 1

    async def _insert_reservations(self, item: StockItem) -> None:
        try:
            await self._connection.execute(
                _INSERT_RESERVATION,
                [
                    {
                        "reservation_id": reservation.reservation_id.value,
                        "stock_item_id": reservation.stock_item_id.value,
                        "quantity": reservation.quantity.value,
                    }
                    for reservation in item.new_reservations
                ],
            )
        except IntegrityError:
            raise ConcurrentModification("the reservation was recorded concurrently") from None
        item.new_reservations.clear()


class PgStockItemRepository(SqlStockItemRepository):
    """On PostgreSQL, reserving reads the item (locked) and its reservation in one
    statement and writes the item and the new reservations in another, both sent to
    asyncpg directly: every reservation request pays for them."""

    SELECT_ITEM_AND_RESERVATION = """
        SELECT item.id, item.name, item.available, item.reserved, item.version,
               reservation.stock_item_id AS reserved_item_id,
               reservation.quantity AS reserved_quantity
        FROM inventory_stock_items AS item
        LEFT JOIN inventory_reservations AS reservation ON reservation.reservation_id = $2
        WHERE item.id = $1
        FOR UPDATE OF item
    """
    # The reservations are inserted only if the version check let the update through.
    SAVE = """
        WITH updated AS (
            UPDATE inventory_stock_items
            SET name = $3, available = $4, reserved = $5, version = $2 + 1
            WHERE id = $1 AND version = $2
            RETURNING id
        ), recorded AS (
            INSERT INTO inventory_reservations (reservation_id, stock_item_id, quantity)
            SELECT reservation.id, updated.id, reservation.quantity
            FROM updated, unnest($6::text[], $7::bigint[]) AS reservation (id, quantity)
        )
        SELECT count(*) FROM updated
    """

    SELECT_ITEMS_FOR_RESERVING = """
        SELECT id, name, available, reserved, version FROM inventory_stock_items
        WHERE id = ANY($1::text[]) ORDER BY id FOR UPDATE
    """
    SELECT_RESERVATIONS = """
        SELECT reservation_id, stock_item_id, quantity FROM inventory_reservations
        WHERE reservation_id = ANY($1::text[])
    """
    # SAVE for several items: each checked against its version, the reservations of
    # every item that passed inserted; the caller compares the count with what it sent.
    SAVE_ALL = """
        WITH changed AS (
            SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::bigint[],
                                 $5::bigint[]) AS changed (id, version, name, available, reserved)
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
            FROM unnest($6::text[], $7::text[], $8::bigint[])
                 AS reservation (id, item, quantity)
            WHERE reservation.item IN (SELECT id FROM updated)
        )
        SELECT count(*) FROM updated
    """

    def __init__(self, connection: AsyncConnection, driver: asyncpg.Connection) -> None:
        super().__init__(connection)
        self._driver = driver

    async def _rows_for_reserving(
        self, item_ids: list[str], reservation_ids: list[str]
    ) -> tuple[Sequence[Any], Sequence[Any]]:
        items = await self._driver.fetch(self.SELECT_ITEMS_FOR_RESERVING, item_ids)
        found = await self._driver.fetch(self.SELECT_RESERVATIONS, reservation_ids)
        return items, found

    async def save_all(self, items: Sequence[StockItem]) -> None:
        if len(items) <= 1:
            for item in items:  # the cheaper statement
                await self.save(item)
            return
        new = [reservation for item in items for reservation in item.new_reservations]
        try:
            changed = await self._driver.fetchval(
                self.SAVE_ALL,
                [item.id.value for item in items],
                [item.version for item in items],
                [item.name.value for item in items],
                [item.available.value for item in items],
                [item.reserved.value for item in items],
                [reservation.reservation_id.value for reservation in new],
                [reservation.stock_item_id.value for reservation in new],
                [reservation.quantity.value for reservation in new],
            )
        except asyncpg.UniqueViolationError:
            raise ConcurrentModification("a reservation was recorded concurrently") from None
        if changed != len(items):
            raise ConcurrentModification("a stock item was changed concurrently")
        for item in items:
            item.new_reservations.clear()
            item.version += 1

    async def get_with_reservation(
        self, id: StockItemId, reservation_id: ReservationId
    ) -> tuple[StockItem, Reservation | None]:
        row = await self._driver.fetchrow(
            self.SELECT_ITEM_AND_RESERVATION, id.value, reservation_id.value
        )
        return self._found_with_reservation(id, reservation_id, row)

    async def save(self, item: StockItem) -> None:
        try:
            changed = await self._driver.fetchval(
                self.SAVE,
                item.id.value,
                item.version,
                item.name.value,
                item.available.value,
                item.reserved.value,
                [reservation.reservation_id.value for reservation in item.new_reservations],
                [reservation.quantity.value for reservation in item.new_reservations],
            )
        except asyncpg.UniqueViolationError:
            raise ConcurrentModification("the reservation was recorded concurrently") from None
        if changed != 1:
            raise ConcurrentModification(f"stock item {item.id} was changed concurrently")
        item.new_reservations.clear()
        item.version += 1


def _to_stock_item(row: Any) -> StockItem:
    """From a row's mapping (SQLAlchemy) or record (asyncpg)."""
    return StockItem(
        id=StockItemId(row["id"]),
        name=StockItemName(row["name"]),
        available=Quantity(row["available"]),
        reserved=Quantity(row["reserved"]),
        version=row["version"],
    )
