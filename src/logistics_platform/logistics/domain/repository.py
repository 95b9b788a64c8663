"""The port through which Logistics stores packages."""

import abc

from logistics_platform.logistics.domain.package import Package
from logistics_platform.shared.domain.repository import Repository


class PackageRepository(Repository, abc.ABC):
    @abc.abstractmethod
    async def add(self, package: Package) -> None:
        """Store a new package. Raises ``TrackingNumberTaken`` or ``PackageAlreadyRegistered``
        when either is not unique."""

    @abc.abstractmethod
    async def for_reservation(self, reservation_id: str) -> Package | None:
        """The package shipping this reservation, if one was registered."""
