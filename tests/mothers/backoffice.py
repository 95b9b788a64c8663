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


def stock_item_added(item: str, name: str, *, on: datetime = T0) -> EventEnvelope:
    return _envelope("inventory.stock_item.added", item, on, name=name, quantity=1000)


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
    )


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

    def tick(self, seconds: float = 60) -> datetime:
        self.clock += timedelta(seconds=seconds)
        return self.clock

    def add(self, name: str, item: str | None = None) -> str:
        item = item or str(uuid.uuid4())
        self.events.append(stock_item_added(item, name, on=self.tick()))
        return item

    def reserve(self, item: str, reservation: str, quantity: int = 1) -> str:
        self.events.append(
            stock_item_reserved(item, reservation, quantity=quantity, on=self.tick())
        )
        return reservation

    def register(self, reservation: str, tracking_number: str, after: float = 60) -> None:
        self.events.append(package_registered(reservation, tracking_number, on=self.tick(after)))
