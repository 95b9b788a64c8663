"""Object mothers for the read side: event envelopes as other contexts publish them."""

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from logistics_platform.backoffice.application.ports import BackofficeUnitOfWork
from logistics_platform.bootstrap import subscriber_table
from logistics_platform.shared.application.envelope import EventEnvelope
from logistics_platform.shared.application.subscriber import Subscriber
from logistics_platform.shared.application.unit_of_work import Causation

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def backoffice_subscribers(
    unit_of_work: Callable[[Causation], BackofficeUnitOfWork],
) -> list[Subscriber[Any]]:
    """The backoffice's rows of the subscriber table, on ``unit_of_work``."""
    table = subscriber_table(_no_logistics, unit_of_work)
    return [subscriber for subscriber in table if subscriber.name.startswith("backoffice.")]


def _no_logistics(_: Causation) -> Any:
    raise AssertionError("only the backoffice's subscribers are used here")


def _envelope(
    event_name: str, aggregate_id: str, on: datetime, **attributes: object
) -> EventEnvelope:
    return EventEnvelope(
        event_id=str(uuid.uuid4()),
        name=event_name,
        occurred_on=on,
        aggregate_id=aggregate_id,
        attributes={"id": aggregate_id, **attributes},
    )


def stock_item_added(
    item: str, name: str, *, on: datetime = T0, quantity: int = 1000, **attributes: object
) -> EventEnvelope:
    """Added; ``attributes`` may add ``warehouse``, ``sku``, ``lowStockThreshold``."""
    return _envelope(
        "inventory.stock_item.added", item, on, name=name, quantity=quantity, **attributes
    )


def stock_item_reserved(
    item: str, reservation: str, *, quantity: int = 1, on: datetime = T0
) -> EventEnvelope:
    return _envelope(
        "inventory.stock_item.reserved", item, on, quantity=quantity, reservationId=reservation
    )


def package_registered(
    reservation: str, tracking_number: str, *, on: datetime = T0, package: str | None = None
) -> EventEnvelope:
    return _envelope(
        "logistics.package.registered",
        package or str(uuid.uuid4()),
        on,
        trackingNumber=tracking_number,
        reservationId=reservation,
        version=1,
    )


# A lifecycle step's event name and attributes, as Logistics publishes them.
PACKAGE_STEPS: dict[str, tuple[str, dict[str, object]]] = {
    "dispatch": ("logistics.package.dispatched", {"carrier": "DHL", "location": "Depot"}),
    "checkpoint": (
        "logistics.package.checkpoint_recorded",
        {"location": "Hub", "note": "sorted"},
    ),
    "deliver": ("logistics.package.delivered", {"signedBy": "Ada", "location": "Door"}),
    "fail": ("logistics.package.delivery_failed", {"reason": "nobody home", "location": "Door"}),
    "return": ("logistics.package.returned", {"reason": "refused"}),
    "cancel": ("logistics.package.cancelled", {"reason": None}),
}


def package_step(
    step: str,
    reservation: str,
    package: str,
    version: int,
    *,
    on: datetime = T0,
    **attributes: object,
) -> EventEnvelope:
    """A lifecycle event (``step`` as in :data:`PACKAGE_STEPS`) at the package ``version``."""
    name, defaults = PACKAGE_STEPS[step]
    return _envelope(
        name,
        package,
        on,
        reservationId=reservation,
        version=version,
        **{**defaults, **attributes},
    )


def package_cancellation_refused(
    reservation: str, package: str, version: int, *, on: datetime = T0
) -> EventEnvelope:
    return _envelope(
        "logistics.package.cancellation_refused",
        package,
        on,
        reservationId=reservation,
        version=version,
        status="in_transit",
        reason="the package left before the reservation was released",
    )


def reservation_changed(
    verb: str, item: str, reservation: str, *, on: datetime = T0, quantity: int = 1
) -> EventEnvelope:
    """``inventory.reservation.<verb>`` (committed, released, expired, commit_refused)."""
    attributes: dict[str, object] = {"reservationId": reservation, "quantity": quantity}
    if verb == "commit_refused":
        attributes = {"reservationId": reservation, "status": "released", "reason": "released"}
    return _envelope(f"inventory.reservation.{verb}", item, on, **attributes)


def stock_item_moved(
    verb: str, item: str, *, on: datetime = T0, **attributes: object
) -> EventEnvelope:
    """``inventory.stock_item.<verb>`` (replenished: quantity, receiptId; adjusted: onHand,
    delta, reason, countId; restocked: quantity, reservationId)."""
    return _envelope(f"inventory.stock_item.{verb}", item, on, **attributes)


def stock_level(
    item: str, *, low: bool, available: int, threshold: int, version: int, on: datetime = T0
) -> EventEnvelope:
    """``inventory.stock_item.low_stock`` (or ``..._cleared`` when not ``low``)."""
    name = "inventory.stock_item.low_stock" + ("" if low else "_cleared")
    return _envelope(name, item, on, available=available, threshold=threshold, version=version)


GUIDE_ITEM = "550e8400-e29b-41d4-a716-446655440000"


def guide_flow(item: str = GUIDE_ITEM) -> list[EventEnvelope]:
    """The guide's story: an item added; order-12345 reserving ten of it a minute later;
    its package (p-1, AB12CD34EF) registered a minute after that."""
    minute = timedelta(minutes=1)
    return [
        stock_item_added(item, "iPhone 15 Pro", on=T0),
        stock_item_reserved(item, "order-12345", quantity=10, on=T0 + minute),
        package_registered("order-12345", "AB12CD34EF", on=T0 + 2 * minute, package="p-1"),
    ]


def a_tracking_number(seed: int) -> str:
    return f"TN{seed:08d}"


@dataclass
class Shop:
    """A valid event stream under construction: items added, then reserved, then packed."""

    events: list[EventEnvelope] = field(default_factory=list)
    clock: datetime = T0
    packages: dict[str, tuple[str, int]] = field(default_factory=dict)  # id and version

    def tick(self, seconds: float = 60) -> datetime:
        self.clock += timedelta(seconds=seconds)
        return self.clock

    def add(self, name: str, item: str | None = None, warehouse: str = "MAIN") -> str:
        item = item or str(uuid.uuid4())
        self.events.append(stock_item_added(item, name, on=self.tick(), warehouse=warehouse))
        return item

    def reserve(self, item: str, reservation: str, quantity: int = 1) -> str:
        self.events.append(
            stock_item_reserved(item, reservation, quantity=quantity, on=self.tick())
        )
        return reservation

    def register(self, reservation: str, tracking_number: str, after: float = 60) -> None:
        package = str(uuid.uuid4())
        self.packages[reservation] = (package, 1)
        self.events.append(
            package_registered(reservation, tracking_number, on=self.tick(after), package=package)
        )

    def step(
        self, reservation: str, step: str, after: float = 60, **attributes: object
    ) -> EventEnvelope:
        """The registered package of ``reservation`` takes a lifecycle ``step``
        (``attributes`` replace the step's usual ones)."""
        package, version = self.packages[reservation]
        self.packages[reservation] = (package, version + 1)
        event = package_step(
            step, reservation, package, version + 1, on=self.tick(after), **attributes
        )
        self.events.append(event)
        return event

    def inventory(self, verb: str, item: str, reservation: str) -> None:
        """Inventory's ``inventory.reservation.<verb>`` for ``reservation``."""
        self.events.append(reservation_changed(verb, item, reservation, on=self.tick(1)))
