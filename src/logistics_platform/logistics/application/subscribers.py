"""Logistics reacting to other contexts' events (read by name, never by their classes)."""

from collections.abc import Sequence

from logistics_platform.logistics.application.unit_of_work import LogisticsUnitOfWork
from logistics_platform.logistics.domain.package import Package
from logistics_platform.logistics.domain.values import PackageId, PackageStatus, TrackingNumber
from logistics_platform.shared.application.envelope import EventEnvelope
from logistics_platform.shared.domain.errors import InvalidArgument

STOCK_ITEM_RESERVED = "inventory.stock_item.reserved"
RESERVATION_RELEASED = "inventory.reservation.released"
RESERVATION_EXPIRED = "inventory.reservation.expired"
_ENDED = {RESERVATION_RELEASED: "released", RESERVATION_EXPIRED: "expired"}


async def find_packages_of(events: Sequence[EventEnvelope], uow: LogisticsUnitOfWork) -> None:
    """Before a batch: look for the packages of all its reservations at once."""
    await uow.packages.prefetch(
        reservation
        for event in events
        if isinstance(reservation := event.attributes.get("reservationId"), str)
    )


async def create_package_on_stock_item_reserved(
    event: EventEnvelope, uow: LogisticsUnitOfWork
) -> None:
    """Register exactly one package per reservation."""
    reservation_id = _reservation_of(event)
    if await uow.packages.for_reservation(reservation_id) is not None:
        return
    await uow.packages.add(_new_package(reservation_id))


async def cancel_package_on_reservation_ended(
    event: EventEnvelope, uow: LogisticsUnitOfWork
) -> None:
    """The saga's Logistics half: a released or expired reservation cancels its package
    if it is still registered. One that already left cannot be cancelled: that is
    recorded on it, once, for an operator. A release seen before the reservation itself
    (another queue) registers the package cancelled, so that the reservation's event
    later finds it and does nothing."""
    reservation_id = _reservation_of(event)
    reason = f"reservation {reservation_id} was {_ENDED.get(event.name, 'ended')}"
    package = await uow.packages.for_reservation(reservation_id)
    if package is None:
        package = _new_package(reservation_id)
        await uow.packages.add(package)
    if package.status is PackageStatus.REGISTERED:
        package.cancel(reason=reason)
    elif package.status is not PackageStatus.CANCELLED:
        package.refuse_cancellation(f"{reason} after the package had left")


def _reservation_of(event: EventEnvelope) -> str:
    reservation_id = event.attributes.get("reservationId")
    if not isinstance(reservation_id, str) or not reservation_id:
        raise InvalidArgument(f"{event.name} {event.event_id} carries no reservationId")
    return reservation_id


def _new_package(reservation_id: str) -> Package:
    return Package.register(PackageId.new(), TrackingNumber.generate(), reservation_id)
