"""The Logistics unit of work port."""

from logistics_platform.logistics.domain.repository import PackageRepository
from logistics_platform.shared.application.unit_of_work import UnitOfWork
from logistics_platform.shared.domain.repository import Repository


class LogisticsUnitOfWork(UnitOfWork):
    packages: PackageRepository

    def repositories(self) -> tuple[Repository, ...]:
        return (self.packages,)
