"""Logistics reacting to other contexts' events (read by name, never by their classes)."""

from collections.abc import Sequence

from logistics_platform.logistics.application.unit_of_work import LogisticsUnitOfWork
from logistics_platform.logistics.domain.package import (
    Package,
    PackageId,
    TrackingNumber,
)
from logistics_platform.shared.application.envelope import EventEnvelope
from logistics_platform.shared.domain.errors import InvalidArgument

STOCK_ITEM_RESERVED = "inventory.stock_item.reserved"


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
    reservation_id = event.attributes.get("reservationId")
    if not isinstance(reservation_id, str) or not reservation_id:
        raise InvalidArgument(f"{event.name} {event.event_id} carries no reservationId")
    if await uow.packages.for_reservation(reservation_id) is not None:
        return
    await uow.packages.add(
        Package.register(PackageId.random(), TrackingNumber.generate(), reservation_id)
    )
