"""Packages on SQLAlchemy Core (statements built once, as for stock items)."""

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

_INSERT = insert(packages)
_FOR_RESERVATION = select(packages).where(packages.c.reservation_id == bindparam("reservation"))


class SqlPackageRepository(PackageRepository):
    def __init__(self, connection: AsyncConnection) -> None:
        super().__init__()
        self._connection = connection

    async def add(self, package: Package) -> None:
        try:
            await self._connection.execute(
                _INSERT,
                {
                    "id": package.id.value,
                    "tracking_number": package.tracking_number.value,
                    "reservation_id": package.reservation_id,
                    "status": package.status.value,
                    "version": package.version,
                },
            )
        except IntegrityError:
            raise ConcurrentModification(
                f"a package for {package.reservation_id} or tracking number "
                f"{package.tracking_number.value} was stored concurrently"
            ) from None
        self.seen.append(package)

    async def for_reservation(self, reservation_id: str) -> Package | None:
        row = (
            await self._connection.execute(_FOR_RESERVATION, {"reservation": reservation_id})
        ).first()
        if row is None:
            return None
        return Package(
            id=PackageId(row.id),
            tracking_number=TrackingNumber(row.tracking_number),
            reservation_id=row.reservation_id,
            status=PackageStatus(row.status),
            version=row.version,
        )
