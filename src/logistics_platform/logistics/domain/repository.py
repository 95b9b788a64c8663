"""The port through which Logistics stores packages."""

import abc
from collections.abc import Iterable

from logistics_platform.logistics.domain.package import Package
from logistics_platform.shared.domain.repository import Repository


class PackageRepository(Repository, abc.ABC):
    @abc.abstractmethod
    async def add(self, package: Package) -> None:
        """Store a new package, at the latest when the unit of work commits. If its
        reservation already has a package, or its tracking number is taken, the commit
        raises ``ConcurrentModification``: the retried transaction then finds that
        package, or draws another number."""

    @abc.abstractmethod
    async def for_reservation(self, reservation_id: str) -> Package | None:
        """The package shipping this reservation, if one was registered."""

    async def prefetch(self, reservation_ids: Iterable[str]) -> None:
        """These reservations' packages are about to be looked for: load them in one go."""
