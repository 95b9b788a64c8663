"""Fakes of Logistics' ports, for unit tests of its subscribers (no database), and the
registering subscriber wired to them."""

from collections.abc import Iterable

from logistics_platform.logistics.application.subscribers import (
    STOCK_ITEM_RESERVED,
    create_package_on_stock_item_reserved,
    find_packages_of,
)
from logistics_platform.logistics.application.unit_of_work import LogisticsUnitOfWork
from logistics_platform.logistics.domain.package import Package, PackageNotFound
from logistics_platform.logistics.domain.repository import PackageRepository
from logistics_platform.logistics.domain.values import PackageId
from logistics_platform.shared.application.subscriber import Subscriber
from logistics_platform.shared.domain.events import DomainEvent


class FakePackageRepository(PackageRepository):
    def __init__(self) -> None:
        super().__init__()
        self.by_reservation: dict[str, Package] = {}
        self.prefetched: list[str] = []

    async def add(self, package: Package) -> None:
        self.by_reservation[package.reservation_id] = package
        self.seen.append(package)

    async def get(self, id: PackageId) -> Package:
        for package in self.by_reservation.values():
            if package.id == id:
                return self._loaded(package)
        raise PackageNotFound(id.value)

    async def for_reservation(self, reservation_id: str) -> Package | None:
        package = self.by_reservation.get(reservation_id)
        return None if package is None else self._loaded(package)

    def _loaded(self, package: Package) -> Package:
        """As a real store: what was handed out has its events collected on commit."""
        if package not in self.seen:
            self.seen.append(package)
        return package

    async def prefetch(self, reservation_ids: Iterable[str]) -> None:
        self.prefetched.extend(reservation_ids)


class FakeLogisticsUnitOfWork(LogisticsUnitOfWork):
    """Records each event id claimed per subscriber once, and publishes on commit."""

    def __init__(self) -> None:
        self.packages = FakePackageRepository()
        self.published: list[DomainEvent] = []
        self.handled: set[tuple[str, str]] = set()

    async def commit(self) -> None:
        self.published.extend(self.collect_events())

    async def rollback(self) -> None:
        self.collect_events()

    async def claim(self, subscriber: str, event_id: str) -> bool:
        if (subscriber, event_id) in self.handled:
            return False
        self.handled.add((subscriber, event_id))
        return True


def registering(uow: FakeLogisticsUnitOfWork) -> Subscriber[FakeLogisticsUnitOfWork]:
    """The subscriber that registers a package per reservation, on ``uow``."""
    return Subscriber(
        "logistics.create_package_on_stock_item_reserved",
        frozenset({STOCK_ITEM_RESERVED}),
        create_package_on_stock_item_reserved,
        lambda _causation: uow,
        prepare=find_packages_of,
    )
