"""Packages in the states the lifecycle tests start from, and the events they react to."""

import uuid

from logistics_platform.logistics.domain.package import Package
from logistics_platform.logistics.domain.values import PackageId, PackageStatus, TrackingNumber
from logistics_platform.shared.application.envelope import EventEnvelope
from logistics_platform.shared.domain.events import utc_now

_ITEM = "550e8400-e29b-41d4-a716-446655440000"

# The commands that bring a registered package into each status.
_PATH_TO: dict[PackageStatus, tuple[str, ...]] = {
    PackageStatus.REGISTERED: (),
    PackageStatus.IN_TRANSIT: ("dispatch",),
    PackageStatus.DELIVERED: ("dispatch", "deliver"),
    PackageStatus.DELIVERY_FAILED: ("dispatch", "fail"),
    PackageStatus.RETURNED: ("dispatch", "deliver", "return"),
    PackageStatus.CANCELLED: ("cancel",),
}


def registered_package(reservation_id: str = "order-1") -> Package:
    return Package.register(PackageId.new(), TrackingNumber.generate(), reservation_id)


def apply(package: Package, command: str) -> None:
    """Run one lifecycle command with plausible arguments."""
    match command:
        case "dispatch":
            package.dispatch(carrier="DHL", location="Warehouse MAIN")
        case "checkpoint":
            package.record_checkpoint(location="Hub Leipzig", note="sorted")
        case "deliver":
            package.deliver(signed_by="A. Customer", location="Front door")
        case "fail":
            package.fail(reason="nobody home", location="Front door")
        case "return":
            package.return_to_sender(reason="refused by customer")
        case "cancel":
            package.cancel(reason="customer changed their mind")
        case _:
            raise ValueError(command)


def package_in(status: PackageStatus) -> Package:
    """A package that reached ``status`` the usual way, its events pulled already."""
    package = registered_package()
    for command in _PATH_TO[status]:
        apply(package, command)
    package.pull_domain_events()
    return package


def reservation_ended(reservation_id: str, *, expired: bool = False) -> EventEnvelope:
    """Inventory's release (or expiry) of a reservation, as Logistics receives it."""
    name = "inventory.reservation.expired" if expired else "inventory.reservation.released"
    return EventEnvelope(
        event_id=str(uuid.uuid4()),
        name=name,
        occurred_on=utc_now(),
        aggregate_id=_ITEM,
        attributes={"id": _ITEM, "reservationId": reservation_id, "quantity": 1},
    )


def reserved(reservation_id: str) -> EventEnvelope:
    """Inventory's reservation of one unit, as Logistics receives it."""
    return EventEnvelope(
        event_id=str(uuid.uuid4()),
        name="inventory.stock_item.reserved",
        occurred_on=utc_now(),
        aggregate_id=_ITEM,
        attributes={"id": _ITEM, "quantity": 1, "reservationId": reservation_id},
    )
