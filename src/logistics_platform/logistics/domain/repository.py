"""The port through which Logistics stores packages."""

import abc

from logistics_platform.logistics.domain.package import Package
from logistics_platform.shared.domain.repository import Repository


class PackageRepository(Repository, abc.ABC):
    @abc.abstractmethod
    async def add(self, package: Package) -> None:
        """Store a new package. If its reservation already has a package, or its tracking
        number is taken, raise ``ConcurrentModification``: the retried transaction then
        finds that package, or draws another number."""

    @abc.abstractmethod
    async def for_reservation(self, reservation_id: str) -> Package | None:
        """The package shipping this reservation, if one was registered."""
