"""Packages on SQL, with optimistic concurrency on ``version``.

On PostgreSQL every statement on the hot paths (a batch of reservations' packages read and
inserted at once; a lifecycle step's read and versioned update) goes to asyncpg directly,
inside the unit of work's transaction: every request pays for them, and SQLAlchemy's
statement building costs as much as the round trip itself there. SQLite goes through
SQLAlchemy."""

from collections.abc import Iterable, Sequence
from typing import Any

import asyncpg
from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from logistics_platform.logistics.domain.package import Package, PackageNotFound
from logistics_platform.logistics.domain.repository import PackageRepository
from logistics_platform.logistics.domain.values import PackageId, PackageStatus, TrackingNumber
from logistics_platform.logistics.infrastructure.tables import (
    history_from_json,
    history_to_json,
    packages,
)
from logistics_platform.shared.domain.errors import ConcurrentModification

_COLUMNS = (
    "id",
    "tracking_number",
    "reservation_id",
    "status",
    "version",
    "registered_at",
    "updated_at",
    "carrier",
    "last_location",
    "attempts",
    "history",
    "cancellation_refused",
)
_TYPES = (
    "text[]", "text[]", "text[]", "text[]", "integer[]", "timestamptz[]", "timestamptz[]",
    "text[]", "text[]", "integer[]", "text[]", "text[]",
)  # fmt: skip
_SELECT_ON_POSTGRESQL = (
    f"SELECT {', '.join(_COLUMNS)} FROM logistics_packages WHERE reservation_id = ANY($1::text[])"
)
_INSERT_ON_POSTGRESQL = (
    f"INSERT INTO logistics_packages ({', '.join(_COLUMNS)}) SELECT * FROM unnest("
    + ", ".join(f"${n}::{kind}" for n, kind in enumerate(_TYPES, start=1))
    + ")"
)
# Locked in id order: transactions changing overlapping packages queue on the row locks
# (and then see what won) instead of deadlocking or failing the version check.
_SELECT_BY_IDS_ON_POSTGRESQL = (
    f"SELECT {', '.join(_COLUMNS)} FROM logistics_packages WHERE id = ANY($1::text[])"
    " ORDER BY id FOR UPDATE"
)
_CHANGED = _COLUMNS[3:]  # what a lifecycle step may change
# Every changed package of a transaction in one statement, each under its version check.
_UPDATE_ON_POSTGRESQL = (
    "UPDATE logistics_packages AS p SET "
    + ", ".join(f"{name} = u.{name}" for name in _CHANGED)
    + " FROM unnest($1::text[], $2::integer[], "
    + ", ".join(f"${n}::{kind}" for n, kind in enumerate(_TYPES[3:], start=3))
    + f") AS u(id, read, {', '.join(_CHANGED)}) WHERE p.id = u.id AND p.version = u.read"
)
_INSERT = insert(packages)
_BY_IDS = select(packages).where(packages.c.id.in_(bindparam("ids", expanding=True)))
_FOR_RESERVATION = select(packages).where(packages.c.reservation_id == bindparam("reservation"))
_FOR_RESERVATIONS = select(packages).where(
    packages.c.reservation_id.in_(bindparam("reservations", expanding=True))
)
_UPDATE = (
    update(packages)
    .where(packages.c.id == bindparam("package_id"), packages.c.version == bindparam("read"))
    .values({name: bindparam(name) for name in _CHANGED})
)


class SqlPackageRepository(PackageRepository):
    """New packages are inserted, and changed ones updated if nobody changed them since
    they were read, by :meth:`flush`, before the commit."""

    def __init__(self, connection: AsyncConnection, driver: asyncpg.Connection | None) -> None:
        super().__init__()
        self._connection = connection
        self._driver = driver  # on PostgreSQL, the transaction's asyncpg connection
        self._new: list[Package] = []
        self._by_reservation: dict[str, Package | None] = {}  # prefetched, loaded or added
        self._by_id: dict[str, Package | None] = {}  # the same packages, by id (None: none)
        self._read_at: dict[str, int] = {}  # package id -> version when it was read

    async def add(self, package: Package) -> None:
        self._new.append(package)
        self._by_reservation[package.reservation_id] = package
        self._by_id[package.id.value] = package
        self.seen.append(package)

    async def get(self, id: PackageId) -> Package:
        package = self._by_id.get(id.value)
        if package is None and id.value not in self._by_id:
            await self.prefetch_by_id([id])
            package = self._by_id[id.value]
        if package is None:
            raise PackageNotFound(id.value)
        return package

    async def prefetch_by_id(self, ids: Iterable[PackageId]) -> None:
        wanted = sorted({id.value for id in ids} - self._by_id.keys())
        if not wanted:
            return
        rows: Sequence[Any]
        if self._driver is not None:
            rows = await self._driver.fetch(_SELECT_BY_IDS_ON_POSTGRESQL, wanted)
        else:
            found = await self._connection.execute(_BY_IDS, {"ids": wanted})
            rows = [row._mapping for row in found]
        self._by_id.update(dict.fromkeys(wanted))
        for row in rows:
            self._loaded(row)

    async def for_reservation(self, reservation_id: str) -> Package | None:
        if reservation_id in self._by_reservation:
            return self._by_reservation[reservation_id]
        row = (
            await self._connection.execute(_FOR_RESERVATION, {"reservation": reservation_id})
        ).first()
        return None if row is None else self._loaded(row._mapping)

    async def prefetch(self, reservation_ids: Iterable[str]) -> None:
        wanted = sorted(set(reservation_ids) - self._by_reservation.keys())
        rows = await self._rows(wanted)
        self._by_reservation.update(dict.fromkeys(wanted))
        for row in rows:
            self._loaded(row)

    def _loaded(self, row: Any) -> Package:
        package = _to_package(row)
        self._by_reservation[package.reservation_id] = package
        self._by_id[package.id.value] = package
        self._read_at[package.id.value] = package.version
        self.seen.append(package)
        return package

    async def _rows(self, reservation_ids: list[str]) -> Sequence[Any]:
        """The stored packages of these reservations (mappings or records)."""
        if self._driver is not None:
            records: Sequence[Any] = await self._driver.fetch(
                _SELECT_ON_POSTGRESQL, reservation_ids
            )
            return records
        rows = await self._connection.execute(_FOR_RESERVATIONS, {"reservations": reservation_ids})
        return [row._mapping for row in rows]

    async def flush(self) -> None:
        new, self._new = self._new, []
        if new and not await self._inserted(new):
            raise ConcurrentModification(
                "a package for one of the reservations "
                f"{sorted(package.reservation_id for package in new)}, or one of their "
                "tracking numbers, was stored concurrently"
            )
        for package in new:
            self._read_at[package.id.value] = package.version
        await self._save_changed()

    async def _save_changed(self) -> None:
        changed = [
            package
            for package in self._by_id.values()
            if package is not None
            and self._read_at.get(package.id.value, package.version) != package.version
        ]
        if not changed:
            return
        if await self._updated(changed) != len(changed):
            ids = sorted(package.id.value for package in changed)
            raise ConcurrentModification(f"one of the packages {ids} was changed concurrently")
        for package in changed:
            self._read_at[package.id.value] = package.version

    async def _updated(self, changed: list[Package]) -> int:
        """Write each package still at the version it was read at; how many were."""
        rows = [
            {
                **_to_values(package),
                "package_id": package.id.value,
                "read": self._read_at[package.id.value],
            }
            for package in changed
        ]
        if self._driver is not None:
            columns = ([row[name] for row in rows] for name in ("package_id", "read", *_CHANGED))
            status: str = await self._driver.execute(_UPDATE_ON_POSTGRESQL, *columns)
            return int(status.rsplit(" ", 1)[-1])
        updated = 0
        for row in rows:
            updated += (await self._connection.execute(_UPDATE, row)).rowcount
        return updated

    async def _inserted(self, new: list[Package]) -> bool:
        """Insert the packages; False if one of them was stored already."""
        rows = [_to_values(package) for package in new]
        try:
            if self._driver is None:
                await self._connection.execute(_INSERT, rows)
            else:
                columns = ([row[name] for row in rows] for name in _COLUMNS)
                await self._driver.execute(_INSERT_ON_POSTGRESQL, *columns)
        except (IntegrityError, asyncpg.UniqueViolationError):
            return False
        return True


def _to_values(package: Package) -> dict[str, Any]:
    return {
        "id": package.id.value,
        "tracking_number": package.tracking_number.value,
        "reservation_id": package.reservation_id,
        "status": package.status.value,
        "version": package.version,
        "registered_at": package.created_at,
        "updated_at": package.updated_at,
        "carrier": package.carrier,
        "last_location": package.last_location,
        "attempts": package.attempts,
        "history": history_to_json(package.history),
        "cancellation_refused": package.cancellation_refused,
    }


def _to_package(row: Any) -> Package:
    """From a row's mapping (SQLAlchemy) or record (asyncpg)."""
    return Package(
        id=PackageId(row["id"]),
        tracking_number=TrackingNumber(row["tracking_number"]),
        reservation_id=row["reservation_id"],
        status=PackageStatus(row["status"]),
        version=row["version"],
        history=history_from_json(row["history"]),
        carrier=row["carrier"],
        last_location=row["last_location"],
        attempts=row["attempts"],
        cancellation_refused=row["cancellation_refused"],
    )
