"""Inventory's half of the package saga: stock follows the package (read by event name,
never by Logistics' classes). Each reaction is idempotent by event id (the subscriber's
record) and by state (the reservation's status), whatever order the events arrive in."""

from collections.abc import Awaitable, Callable

from logistics_platform.inventory.application.handlers import held_by
from logistics_platform.inventory.application.unit_of_work import InventoryUnitOfWork
from logistics_platform.inventory.domain.values import ReservationId
from logistics_platform.shared.application.envelope import EventEnvelope
from logistics_platform.shared.domain.errors import InvalidArgument

PACKAGE_DISPATCHED = "logistics.package.dispatched"
PACKAGE_CANCELLED = "logistics.package.cancelled"
PACKAGE_RETURNED = "logistics.package.returned"
PACKAGE_CANCELLED_REASON = "package cancelled"

Reaction = Callable[[EventEnvelope, InventoryUnitOfWork], Awaitable[None]]


def _reservation_of(event: EventEnvelope) -> ReservationId:
    value = event.attributes.get("reservationId")
    if not isinstance(value, str):
        raise InvalidArgument(f"{event.name} {event.event_id} carries no reservationId")
    return ReservationId(value)


async def commit_reservation_on_package_dispatched(
    event: EventEnvelope, uow: InventoryUnitOfWork
) -> None:
    """The first dispatch commits the reservation; later attempts change nothing; a
    reservation given up already shows the refusal."""
    reservation, item = await held_by(_reservation_of(event), uow)
    item.commit(reservation)


async def release_reservation_on_package_cancelled(
    event: EventEnvelope, uow: InventoryUnitOfWork
) -> None:
    """A cancelled package gives its held units back (nothing if given up already)."""
    reservation, item = await held_by(_reservation_of(event), uow)
    if reservation.is_held:
        item.release(reservation, reason=PACKAGE_CANCELLED_REASON)


async def restock_on_package_returned(event: EventEnvelope, uow: InventoryUnitOfWork) -> None:
    """A returned package's units are available again, once (committed first if the
    dispatch has not been seen yet)."""
    reservation, item = await held_by(_reservation_of(event), uow)
    item.restock(reservation)


REACTIONS: tuple[tuple[str, str, Reaction], ...] = (
    (
        "inventory.commit_reservation_on_package_dispatched",
        PACKAGE_DISPATCHED,
        commit_reservation_on_package_dispatched,
    ),
    (
        "inventory.release_reservation_on_package_cancelled",
        PACKAGE_CANCELLED,
        release_reservation_on_package_cancelled,
    ),
    ("inventory.restock_on_package_returned", PACKAGE_RETURNED, restock_on_package_returned),
)
