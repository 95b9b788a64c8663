"""Packages on SQL. On PostgreSQL a batch's read and its write are one statement each,
sent to asyncpg directly inside the unit of work's transaction (every reservation's
package pays for them)."""

from collections.abc import Iterable, Sequence
from typing import Any

import asyncpg
from sqlalchemy import bindparam, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from logistics_platform.logistics.domain.package import (
    Package,
    PackageId,
    PackageStatus,
    TrackingNumber,
)
from logistics_platform.logistics.domain.repository import PackageRepository
from logistics_platform.logistics.infrastructure.tables import packages
from logistics_platform.shared.domain.errors import ConcurrentModification

_SELECT_ON_POSTGRESQL = (
    "SELECT id, tracking_number, reservation_id, status, version FROM logistics_packages"
    " WHERE reservation_id = ANY($1::text[])"
)
_INSERT_ON_POSTGRESQL = """
    INSERT INTO logistics_packages (id, tracking_number, reservation_id, status, version)
    SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::integer[])
"""
_INSERT = insert(packages)
_FOR_RESERVATION = select(packages).where(packages.c.reservation_id == bindparam("reservation"))
_FOR_RESERVATIONS = select(packages).where(
    packages.c.reservation_id.in_(bindparam("reservations", expanding=True))
)


class SqlPackageRepository(PackageRepository):
    """New packages are inserted together by :meth:`flush`, before the commit."""

    def __init__(self, connection: AsyncConnection, driver: asyncpg.Connection | None) -> None:
        super().__init__()
        self._connection = connection
        self._driver = driver  # on PostgreSQL, the transaction's asyncpg connection
        self._new: list[Package] = []
        self._by_reservation: dict[str, Package | None] = {}  # prefetched or added

    async def add(self, package: Package) -> None:
        self._new.append(package)
        self._by_reservation[package.reservation_id] = package
        self.seen.append(package)

    async def flush(self) -> None:
        if not self._new:
            return
        if not await self._inserted(self._new):
            raise ConcurrentModification(
                "a package for one of the reservations "
                f"{sorted(package.reservation_id for package in self._new)}, or one of their "
                "tracking numbers, was stored concurrently"
            )
        self._new = []

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

    async def prefetch(self, reservation_ids: Iterable[str]) -> None:
        wanted = sorted(set(reservation_ids) - self._by_reservation.keys())
        rows = await self._rows(wanted)
        self._by_reservation.update(dict.fromkeys(wanted))
        self._by_reservation.update((row["reservation_id"], _to_package(row)) for row in rows)

    async def _rows(self, reservation_ids: list[str]) -> Sequence[Any]:
        """The stored packages of these reservations (mappings or records)."""
        if self._driver is not None:
            records: Sequence[Any] = await self._driver.fetch(
                _SELECT_ON_POSTGRESQL, reservation_ids
            )
            return records
        rows = await self._connection.execute(_FOR_RESERVATIONS, {"reservations": reservation_ids})
        return [row._mapping for row in rows]

    async def for_reservation(self, reservation_id: str) -> Package | None:
        if reservation_id in self._by_reservation:
            return self._by_reservation[reservation_id]
        row = (
            await self._connection.execute(_FOR_RESERVATION, {"reservation": reservation_id})
        ).first()
        return None if row is None else _to_package(row._mapping)


_COLUMNS = ("id", "tracking_number", "reservation_id", "status", "version")


def _to_values(package: Package) -> dict[str, Any]:
    return {
        "id": package.id.value,
        "tracking_number": package.tracking_number.value,
        "reservation_id": package.reservation_id,
        "status": package.status.value,
        "version": package.version,
    }


def _to_package(row: Any) -> Package:
    """From a row's mapping (SQLAlchemy) or record (asyncpg)."""
    return Package(
        id=PackageId(row["id"]),
        tracking_number=TrackingNumber(row["tracking_number"]),
        reservation_id=row["reservation_id"],
        status=PackageStatus(row["status"]),
        version=row["version"],
    )
