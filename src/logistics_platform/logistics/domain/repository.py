"""The port through which Logistics stores packages."""

import abc
from collections.abc import Iterable

from logistics_platform.logistics.domain.package import Package
from logistics_platform.logistics.domain.values import PackageId
from logistics_platform.shared.domain.repository import Repository


class PackageRepository(Repository, abc.ABC):
    """Packages, each loaded once per unit of work (the same object every time). Changes
    are written when the unit of work commits, if nobody changed the package since it
    was read (else ``ConcurrentModification``: the command is tried again on what won)."""

    @abc.abstractmethod
    async def add(self, package: Package) -> None:
        """Store a new package, at the latest when the unit of work commits. If its
        reservation already has a package, or its tracking number is taken, the commit
        raises ``ConcurrentModification``: the retried transaction then finds that
        package, or draws another number."""

    @abc.abstractmethod
    async def get(self, id: PackageId) -> Package:
        """The package, or ``PackageNotFound``."""

    @abc.abstractmethod
    async def for_reservation(self, reservation_id: str) -> Package | None:
        """The package shipping this reservation, if one was registered."""

    async def prefetch(self, reservation_ids: Iterable[str]) -> None:
        """These reservations' packages are about to be looked for: load them in one go."""

    async def prefetch_by_id(self, ids: Iterable[PackageId]) -> None:
        """These packages are about to be changed: load them in one go."""
