from sqlalchemy.ext.asyncio import AsyncConnection

from logistics_platform.logistics.application.unit_of_work import LogisticsUnitOfWork
from logistics_platform.logistics.infrastructure.repository import (
    PgPackageRepository,
    SqlPackageRepository,
)
from logistics_platform.shared.infrastructure.persistence.unit_of_work import SqlUnitOfWork


class SqlLogisticsUnitOfWork(SqlUnitOfWork, LogisticsUnitOfWork):
    def _open(self, connection: AsyncConnection) -> None:
        self.packages = self._packages = (
            SqlPackageRepository(connection)
            if self.driver is None
            else PgPackageRepository(connection, self.driver)
        )

    async def _before_commit(self) -> None:
        await self._packages.flush()
