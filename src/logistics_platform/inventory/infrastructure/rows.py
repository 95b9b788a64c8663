"""Inventory's statements and how its rows map to domain objects and back."""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import bindparam, select, update

from logistics_platform.inventory.domain.records import (
    Count,
    Receipt,
    Reservation,
    ReservationStatus,
)
from logistics_platform.inventory.domain.stock_item import StockItem
from logistics_platform.inventory.domain.values import (
    CountId,
    Quantity,
    ReceiptId,
    ReservationId,
    Sku,
    StockItemId,
    StockItemName,
    Warehouse,
)
from logistics_platform.inventory.infrastructure.tables import reservations, stock_items
from logistics_platform.shared.infrastructure.persistence.database import as_utc

# The items locked in id order, so that transactions on overlapping items cannot
# deadlock, and the reservations recorded under the ids asked for. Items queue on their
# row lock rather than fail the version check and retry in a storm. (A reservation read
# here may predate the lock: its own version is checked when it is saved.)
LOAD_ON_POSTGRESQL = """
    WITH item AS (
        SELECT id, name, available, reserved, shipped, warehouse, sku, low_stock_threshold,
               version
        FROM inventory_stock_items WHERE id = ANY($1::text[]) ORDER BY id FOR UPDATE
    )
    SELECT id, name, available, reserved, shipped, warehouse, sku, low_stock_threshold,
           version, NULL AS reservation_id, NULL AS stock_item_id, NULL::bigint AS quantity,
           NULL AS status, NULL::timestamptz AS expires_at, NULL::boolean AS restocked,
           NULL AS problem, NULL::integer AS reservation_version
    FROM item
    UNION ALL
    SELECT NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, reservation_id,
           stock_item_id, quantity, status, expires_at, restocked, problem, version
    FROM inventory_reservations WHERE reservation_id = ANY($2::text[])
"""
# Each item checked against the version it was read at; the new reservations of every
# item that passed inserted, the changed ones updated if still at the version read. The
# caller compares the counts with what it sent.
SAVE_ON_POSTGRESQL = """
    WITH changed AS (
        SELECT * FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::text[],
                             $5::bigint[], $6::bigint[], $7::bigint[])
            AS changed (id, version, next_version, name, available, reserved, shipped)
    ), updated AS (
        UPDATE inventory_stock_items AS item
        SET name = changed.name, available = changed.available, reserved = changed.reserved,
            shipped = changed.shipped, version = changed.next_version
        FROM changed
        WHERE item.id = changed.id AND item.version = changed.version
        RETURNING item.id
    ), recorded AS (
        INSERT INTO inventory_reservations (reservation_id, stock_item_id, quantity, expires_at)
        SELECT made.id, made.item, made.quantity, made.expires_at
        FROM unnest($8::text[], $9::text[], $10::bigint[], $11::timestamptz[])
            AS made (id, item, quantity, expires_at)
        WHERE made.item IN (SELECT id FROM updated)
    ), moved AS (
        UPDATE inventory_reservations AS reservation
        SET status = moved.status, restocked = moved.restocked, problem = moved.problem,
            version = moved.version + 1
        FROM unnest($12::text[], $13::text[], $14::bigint[], $15::text[], $16::boolean[],
                    $17::text[]) AS moved (id, item, version, status, restocked, problem)
        WHERE reservation.reservation_id = moved.id AND reservation.version = moved.version
          AND moved.item IN (SELECT id FROM updated)
        RETURNING reservation.reservation_id
    )
    SELECT (SELECT count(*) FROM updated), (SELECT count(*) FROM moved)
"""
# The same on SQLite, whose transactions run one at a time (BEGIN IMMEDIATE).
SELECT_ITEMS = select(stock_items).where(stock_items.c.id.in_(bindparam("ids", expanding=True)))
SELECT_RESERVATIONS = select(reservations).where(
    reservations.c.reservation_id.in_(bindparam("ids", expanding=True))
)
UPDATE_ITEM = (
    update(stock_items)
    .where(stock_items.c.id == bindparam("item_id"), stock_items.c.version == bindparam("read"))
    .values(
        name=bindparam("name"),
        available=bindparam("available"),
        reserved=bindparam("reserved"),
        shipped=bindparam("shipped"),
        version=bindparam("next_version"),
    )
)
UPDATE_RESERVATION = (
    update(reservations)
    .where(
        reservations.c.reservation_id == bindparam("id"),
        reservations.c.version == bindparam("read"),
    )
    .values(
        status=bindparam("status"),
        restocked=bindparam("restocked"),
        problem=bindparam("problem"),
        version=bindparam("read") + 1,
    )
)


def new_item(item: StockItem) -> dict[str, Any]:
    return {
        "id": item.id.value,
        "name": item.name.value,
        "available": item.available.value,
        "reserved": item.reserved.value,
        "shipped": item.shipped.value,
        "warehouse": item.warehouse.value,
        "sku": item.sku.value if item.sku else None,
        "low_stock_threshold": item.low_stock_threshold.value,
        "version": item.version + item.changes,
    }


def saved_item(item: StockItem) -> tuple[Any, ...]:
    """What a save writes, in SAVE_ON_POSTGRESQL's order."""
    return (
        item.id.value,
        item.version,
        item.version + item.changes,
        item.name.value,
        item.available.value,
        item.reserved.value,
        item.shipped.value,
    )


def item_update(item: StockItem) -> dict[str, Any]:
    _, read, next_version, name, available, reserved, shipped = saved_item(item)
    return {
        "item_id": item.id.value,
        "read": read,
        "next_version": next_version,
        "name": name,
        "available": available,
        "reserved": reserved,
        "shipped": shipped,
    }


def reservation_row(reservation: Reservation) -> tuple[Any, ...]:
    return (
        reservation.reservation_id.value,
        reservation.stock_item_id.value,
        reservation.quantity.value,
        reservation.expires_at,
    )


def new_reservation(reservation: Reservation) -> dict[str, Any]:
    keys = ("reservation_id", "stock_item_id", "quantity", "expires_at")
    return dict(zip(keys, reservation_row(reservation), strict=True))


def moved_reservation(reservation: Reservation) -> tuple[Any, ...]:
    return (
        reservation.reservation_id.value,
        reservation.stock_item_id.value,
        reservation.version,
        reservation.status.value,
        reservation.restocked,
        reservation.problem,
    )


def reservation_update(reservation: Reservation) -> dict[str, Any]:
    id, _, read, status, restocked, problem = moved_reservation(reservation)
    return {"id": id, "read": read, "status": status, "restocked": restocked, "problem": problem}


def receipt_row(receipt: Receipt) -> dict[str, Any]:
    return {
        "receipt_id": receipt.receipt_id.value,
        "stock_item_id": receipt.stock_item_id.value,
        "quantity": receipt.quantity.value,
    }


def count_row(count: Count) -> dict[str, Any]:
    return {
        "count_id": count.count_id.value,
        "stock_item_id": count.stock_item_id.value,
        "on_hand": count.on_hand.value,
        "reason": count.reason,
    }


def columns(found: Sequence[tuple[Any, ...]], *, width: int) -> list[list[Any]]:
    """The rows as one list per column (asyncpg's arrays)."""
    return [list(column) for column in zip(*found, strict=True)] if found else [[]] * width


def to_stock_item(row: Any) -> StockItem:
    """From a row's mapping (SQLAlchemy) or record (asyncpg)."""
    return StockItem(
        id=StockItemId(row["id"]),
        name=StockItemName(row["name"]),
        available=Quantity(row["available"]),
        reserved=Quantity(row["reserved"]),
        shipped=Quantity(row["shipped"]),
        warehouse=Warehouse(row["warehouse"]),
        sku=Sku(row["sku"]) if row["sku"] is not None else None,
        low_stock_threshold=Quantity(row["low_stock_threshold"]),
        version=row["version"],
    )


def to_reservation(row: Any) -> Reservation:
    expires_at = as_utc(row["expires_at"])
    return Reservation(
        StockItemId(row["stock_item_id"]),
        ReservationId(row["reservation_id"]),
        Quantity(row["quantity"]),
        status=ReservationStatus(row["status"]),
        expires_at=expires_at,
        restocked=bool(row["restocked"]),
        problem=row["problem"],
        version=_first_of(row, "reservation_version", "version"),
    )


def to_receipt(row: Any) -> Receipt:
    return Receipt(
        StockItemId(row["stock_item_id"]), ReceiptId(row["receipt_id"]), Quantity(row["quantity"])
    )


def to_count(row: Any) -> Count:
    return Count(
        StockItemId(row["stock_item_id"]),
        CountId(row["count_id"]),
        Quantity(row["on_hand"]),
        row["reason"],
    )


def _first_of(row: Any, *keys: str) -> Any:
    """The first of ``keys`` the row has (PostgreSQL's load renames a column)."""
    return next(row[key] for key in keys if key in row.keys())  # noqa: SIM118 - asyncpg's records test values with `in`
