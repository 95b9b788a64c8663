"""Stock items on SQL, with optimistic concurrency on ``version`` (items and reservations).

Reads go through :meth:`SqlStockItemRepository.prefetch` and writes through
:meth:`~SqlStockItemRepository.flush`, whether the unit of work handles one command or a
batch. On PostgreSQL both are one statement sent to asyncpg directly, inside the unit of
work's transaction: every reservation pays for them, and SQLAlchemy's per-statement
work costs about as much CPU as the round trip itself. Receipts and counts, rarer, go
through SQLAlchemy on both databases.
"""

from collections.abc import Iterable
from typing import Any

import asyncpg
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from logistics_platform.inventory.domain.records import Count, Receipt, Reservation
from logistics_platform.inventory.domain.repository import StockItemRepository
from logistics_platform.inventory.domain.stock_item import (
    SkuAlreadyUsed,
    StockItem,
    StockItemAlreadyExists,
    StockItemNotFound,
)
from logistics_platform.inventory.domain.values import (
    CountId,
    ReceiptId,
    ReservationId,
    StockItemId,
)
from logistics_platform.inventory.infrastructure import rows
from logistics_platform.inventory.infrastructure.tables import (
    counts,
    receipts,
    reservations,
    stock_items,
)
from logistics_platform.shared.domain.errors import ConcurrentModification


class SqlStockItemRepository(StockItemRepository):
    def __init__(self, connection: AsyncConnection, driver: asyncpg.Connection | None) -> None:
        super().__init__()
        self._connection = connection
        self._driver = driver  # on PostgreSQL, the transaction's asyncpg connection
        self._items: dict[StockItemId, StockItem | None] = {}  # None: no such item
        self._stored: set[StockItemId] = set()  # the items read from the store
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
            if item is not None and reservation_id in item.touched:
                return item.touched[reservation_id]
        if reservation_id not in self._reservations:
            await self.prefetch([], [reservation_id])
        return self._reservations[reservation_id]

    async def receipt(self, receipt_id: ReceiptId) -> Receipt | None:
        for booked in self._booked():
            if isinstance(booked, Receipt) and booked.receipt_id == receipt_id:
                return booked
        row = (
            await self._connection.execute(
                select(receipts).where(receipts.c.receipt_id == receipt_id.value)
            )
        ).first()
        return None if row is None else rows.to_receipt(row._mapping)

    async def count(self, count_id: CountId) -> Count | None:
        for booked in self._booked():
            if isinstance(booked, Count) and booked.count_id == count_id:
                return booked
        row = (
            await self._connection.execute(
                select(counts).where(counts.c.count_id == count_id.value)
            )
        ).first()
        return None if row is None else rows.to_count(row._mapping)

    def _booked(self) -> list[Receipt | Count]:
        """Receipts and counts booked in this unit of work, not stored yet."""
        return [record for item in self._items.values() if item for record in item.new_records]

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
            item = rows.to_stock_item(row)
            self._items[item.id] = item
            self._stored.add(item.id)
            self.seen.append(item)
        for row in found:
            reservation = rows.to_reservation(row)
            self._reservations[reservation.reservation_id] = reservation
        self._forget_reservations_of({StockItemId(row["id"]) for row in items})

    def _forget_reservations_of(self, locked: set[StockItemId]) -> None:
        """Reservations of items locked just now may have been read before the lock was
        granted (an earlier statement, or this one's snapshot on PostgreSQL): whoever
        held the lock may have changed them. The next read gets them as they are now."""
        for id, reservation in list(self._reservations.items()):
            if reservation is not None and reservation.stock_item_id in locked:
                del self._reservations[id]

    async def _load(
        self, ids: list[str], reservation_ids: list[str]
    ) -> tuple[list[Any], list[Any]]:
        """The items' rows (locked) and the reservations' rows."""
        if self._driver is not None:
            found = await self._driver.fetch(rows.LOAD_ON_POSTGRESQL, ids, reservation_ids)
            return [r for r in found if r["id"]], [r for r in found if r["reservation_id"]]
        items = await self._connection.execute(rows.SELECT_ITEMS, {"ids": ids})
        held = await self._connection.execute(rows.SELECT_RESERVATIONS, {"ids": reservation_ids})
        return [row._mapping for row in items], [row._mapping for row in held]

    async def flush(self) -> None:
        new, self._new = self._new, []
        changed = [
            item
            for id, item in self._items.items()
            if item is not None and id in self._stored and item.changes
        ]
        if new:
            await self._insert(new)
        if changed:
            await self._save(changed)
        if booked := [record for item in [*new, *changed] for record in item.new_records]:
            await self._book(booked)
        for item in [*new, *changed]:
            for reservation in item.touched.values():
                stored = reservation.version + (
                    reservation.reservation_id not in item.new_reservation_ids
                )
                self._reservations[reservation.reservation_id] = reservation.but(version=stored)
            item.stored()
            self._stored.add(item.id)

    async def _insert(self, items: list[StockItem]) -> None:
        """New items, and what was reserved on them in the same transaction."""
        try:
            await self._connection.execute(insert(stock_items), [rows.new_item(i) for i in items])
        except IntegrityError as error:
            if "sku" in str(error.orig).lower():
                with_sku = next(i for i in items if i.sku is not None)
                raise SkuAlreadyUsed(with_sku.sku.value, with_sku.warehouse.value) from None  # type: ignore[union-attr]
            raise StockItemAlreadyExists(items[0].id) from None
        if new := [reservation for item in items for reservation in item.new_reservations]:
            await self._connection.execute(
                insert(reservations), [rows.new_reservation(r) for r in new]
            )

    async def _save(self, items: list[StockItem]) -> None:
        new = [reservation for item in items for reservation in item.new_reservations]
        moved = [reservation for item in items for reservation in item.changed_reservations]
        try:
            saved_items, saved_reservations = await self._write(items, new, moved)
        except (IntegrityError, asyncpg.UniqueViolationError):
            raise ConcurrentModification("a reservation was recorded concurrently") from None
        if saved_items != len(items):
            raise ConcurrentModification("a stock item was changed concurrently")
        if saved_reservations != len(moved):
            raise ConcurrentModification("a reservation was changed concurrently")

    async def _write(
        self, items: list[StockItem], new: list[Reservation], moved: list[Reservation]
    ) -> tuple[int, int]:
        """Store the items and the reservations they changed if their versions are still
        the ones read, and ``new``; the numbers of items and of changed reservations stored."""
        if self._driver is not None:
            counted = await self._driver.fetchrow(
                rows.SAVE_ON_POSTGRESQL,
                *rows.columns([rows.saved_item(i) for i in items], width=7),
                *rows.columns([rows.reservation_row(r) for r in new], width=4),
                *rows.columns([rows.moved_reservation(r) for r in moved], width=6),
            )
            assert counted is not None
            return counted[0], counted[1]
        # One executemany each: its row count is the sum of the rows each update changed.
        result = await self._connection.execute(
            rows.UPDATE_ITEM, [rows.item_update(i) for i in items]
        )
        saved = result.rowcount
        if new and saved == len(items):
            await self._connection.execute(
                insert(reservations), [rows.new_reservation(r) for r in new]
            )
        moved_count = 0
        if moved:
            result = await self._connection.execute(
                rows.UPDATE_RESERVATION, [rows.reservation_update(r) for r in moved]
            )
            moved_count = result.rowcount
        return saved, moved_count

    async def _book(self, records: list[Receipt | Count]) -> None:
        """Receipts and counts, each id once (a concurrent booking makes the command retry)."""
        booked = [rows.receipt_row(r) for r in records if isinstance(r, Receipt)]
        counted = [rows.count_row(r) for r in records if isinstance(r, Count)]
        try:
            if booked:
                await self._connection.execute(insert(receipts), booked)
            if counted:
                await self._connection.execute(insert(counts), counted)
        except IntegrityError:
            raise ConcurrentModification("a receipt or count was booked concurrently") from None
