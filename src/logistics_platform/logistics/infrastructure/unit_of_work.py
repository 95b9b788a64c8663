from logistics_platform.logistics.application.unit_of_work import LogisticsUnitOfWork
from logistics_platform.logistics.infrastructure.repository import SqlPackageRepository
from logistics_platform.shared.infrastructure.persistence.unit_of_work import SqlUnitOfWork


class SqlLogisticsUnitOfWork(SqlUnitOfWork, LogisticsUnitOfWork):
    def _open(self) -> None:
        self.packages = SqlPackageRepository(self.connection, self.driver)
