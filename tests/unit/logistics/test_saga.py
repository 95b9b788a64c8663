"""The saga's Logistics half: a released or expired reservation cancels its package while
it can, in any order and however often the events arrive."""

from logistics_platform.logistics.application.subscribers import (
    RESERVATION_EXPIRED,
    RESERVATION_RELEASED,
    cancel_package_on_reservation_ended,
    find_packages_of,
)
from logistics_platform.logistics.domain.events import (
    PackageCancellationRefused,
    PackageCancelled,
    PackageRegistered,
)
from logistics_platform.logistics.domain.values import PackageStatus
from logistics_platform.shared.application.subscriber import Subscriber
from tests.fakes.logistics import FakeLogisticsUnitOfWork, registering
from tests.mothers.backoffice import stock_item_reserved
from tests.mothers.logistics import package_in, reservation_ended


def cancelling(uow: FakeLogisticsUnitOfWork) -> Subscriber[FakeLogisticsUnitOfWork]:
    return Subscriber(
        "logistics.cancel_package_on_reservation_ended",
        frozenset({RESERVATION_RELEASED, RESERVATION_EXPIRED}),
        cancel_package_on_reservation_ended,
        lambda _causation: uow,
        prepare=find_packages_of,
    )


def holding(status: PackageStatus) -> FakeLogisticsUnitOfWork:
    uow = FakeLogisticsUnitOfWork()
    uow.packages.by_reservation["order-1"] = package_in(status)
    return uow


async def test_a_release_cancels_a_registered_package_naming_why() -> None:
    uow = holding(PackageStatus.REGISTERED)

    await cancelling(uow).deliver(reservation_ended("order-1"))

    package = uow.packages.by_reservation["order-1"]
    assert package.status is PackageStatus.CANCELLED
    (cancelled,) = uow.published
    assert isinstance(cancelled, PackageCancelled)
    assert cancelled.reason == "reservation order-1 was released"


async def test_an_expiry_cancels_too() -> None:
    uow = holding(PackageStatus.REGISTERED)
    await cancelling(uow).deliver(reservation_ended("order-1", expired=True))
    (cancelled,) = uow.published
    assert isinstance(cancelled, PackageCancelled)
    assert cancelled.reason == "reservation order-1 was expired"


async def test_a_cancelled_package_stays_as_it_is() -> None:
    uow = holding(PackageStatus.CANCELLED)
    await cancelling(uow).deliver(reservation_ended("order-1"))
    assert uow.published == []


async def test_a_package_that_left_records_the_refusal_once() -> None:
    uow = holding(PackageStatus.IN_TRANSIT)

    await cancelling(uow).deliver(reservation_ended("order-1"))
    await cancelling(uow).deliver(reservation_ended("order-1", expired=True))  # another event

    package = uow.packages.by_reservation["order-1"]
    assert package.status is PackageStatus.IN_TRANSIT
    (refused,) = uow.published
    assert isinstance(refused, PackageCancellationRefused)
    assert refused.status == "in_transit"
    assert package.cancellation_refused == (
        "reservation order-1 was released after the package had left"
    )


async def test_a_redelivered_release_changes_nothing_more() -> None:
    uow = holding(PackageStatus.REGISTERED)
    released = reservation_ended("order-1")
    await cancelling(uow).deliver(released)
    await cancelling(uow).deliver(released)
    assert len(uow.published) == 1


async def test_a_release_before_the_reservation_registers_the_package_cancelled() -> None:
    uow = FakeLogisticsUnitOfWork()

    await cancelling(uow).deliver(reservation_ended("order-1"))
    await registering(uow).deliver(stock_item_reserved("item-1", "order-1"))

    package = uow.packages.by_reservation["order-1"]
    assert package.status is PackageStatus.CANCELLED
    assert [type(event) for event in uow.published] == [PackageRegistered, PackageCancelled]
    assert [event.version for event in uow.published] == [1, 2]  # type: ignore[attr-defined]
