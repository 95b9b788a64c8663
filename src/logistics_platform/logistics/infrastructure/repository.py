"""Packages on SQLAlchemy Core (statements built once, as for stock items)."""

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Row, bindparam, insert, select
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

_INSERT = insert(packages)
_FOR_RESERVATION = select(packages).where(packages.c.reservation_id == bindparam("reservation"))
_FOR_RESERVATIONS = select(packages).where(
    packages.c.reservation_id.in_(bindparam("reservations", expanding=True))
)


class SqlPackageRepository(PackageRepository):
    """New packages are inserted together by :meth:`flush`, before the commit."""

    def __init__(self, connection: AsyncConnection) -> None:
        super().__init__()
        self._connection = connection
        self._new: list[Package] = []
        self._by_reservation: dict[str, Package | None] = {}  # prefetched or added

    async def add(self, package: Package) -> None:
        self._new.append(package)
        self._by_reservation[package.reservation_id] = package
        self.seen.append(package)

    async def flush(self) -> None:
        if not self._new:
            return
        try:
            await self._connection.execute(
                _INSERT,
                [
                    {
                        "id": package.id.value,
                        "tracking_number": package.tracking_number.value,
                        "reservation_id": package.reservation_id,
                        "status": package.status.value,
                        "version": package.version,
                    }
                    for package in self._new
                ],
            )
        except IntegrityError:
            raise ConcurrentModification(
                "a package for one of the reservations "
                f"{sorted(package.reservation_id for package in self._new)}, or one of their "
                "tracking numbers, was stored concurrently"
            ) from None
        self._new = []

    async def prefetch(self, reservation_ids: Iterable[str]) -> None:
        wanted = sorted(set(reservation_ids) - self._by_reservation.keys())
        rows = await self._connection.execute(_FOR_RESERVATIONS, {"reservations": wanted})
        self._by_reservation.update(dict.fromkeys(wanted))
        self._by_reservation.update((row.reservation_id, _to_package(row)) for row in rows)

    async def for_reservation(self, reservation_id: str) -> Package | None:
        if reservation_id in self._by_reservation:
            return self._by_reservation[reservation_id]
        row = (
            await self._connection.execute(_FOR_RESERVATION, {"reservation": reservation_id})
        ).first()
        return None if row is None else _to_package(row)


def _to_package(row: Row[Any]) -> Package:
    return Package(
        id=PackageId(row.id),
        tracking_number=TrackingNumber(row.tracking_number),
        reservation_id=row.reservation_id,
        status=PackageStatus(row.status),
        version=row.version,
    )
