"""Packages on SQLAlchemy Core."""

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from logistics_platform.logistics.domain.package import (
    Package,
    PackageAlreadyRegistered,
    PackageId,
    PackageStatus,
    TrackingNumber,
    TrackingNumberTaken,
)
from logistics_platform.logistics.domain.repository import PackageRepository
from logistics_platform.logistics.infrastructure.tables import packages


class SqlPackageRepository(PackageRepository):
    def __init__(self, connection: AsyncConnection) -> None:
        super().__init__()
        self._connection = connection

    async def add(self, package: Package) -> None:
        try:
            async with self._connection.begin_nested():
                await self._connection.execute(
                    insert(packages).values(
                        id=package.id.value,
                        tracking_number=package.tracking_number.value,
                        reservation_id=package.reservation_id,
                        status=package.status.value,
                        version=package.version,
                    )
                )
        except IntegrityError:
            if await self.for_reservation(package.reservation_id) is not None:
                raise PackageAlreadyRegistered(package.reservation_id) from None
            raise TrackingNumberTaken(package.tracking_number.value) from None
        self.seen.append(package)

    async def for_reservation(self, reservation_id: str) -> Package | None:
        row = (
            await self._connection.execute(
                select(packages).where(packages.c.reservation_id == reservation_id)
            )
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
