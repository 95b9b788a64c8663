"""Projectors: keep tracking views, the stock item catalog and the low-stock levels up to
date from Inventory's and Logistics' events (read by name and attributes)."""

from collections.abc import Awaitable, Callable

from logistics_platform.backoffice.application import attributes as read
from logistics_platform.backoffice.application.ports import BackofficeUnitOfWork
from logistics_platform.backoffice.domain.stock_alerts import StockLevel
from logistics_platform.backoffice.domain.stock_figures import StockUnits
from logistics_platform.backoffice.domain.tracking_view import (
    CancellationRefused,
    ReservationStatus,
    TimelineEntry,
    TrackingStatus,
    TrackingView,
)
from logistics_platform.shared.application.envelope import EventEnvelope

STOCK_ITEM_ADDED = "inventory.stock_item.added"
STOCK_ITEM_RESERVED = "inventory.stock_item.reserved"
LOW_STOCK = "inventory.stock_item.low_stock"
LOW_STOCK_CLEARED = "inventory.stock_item.low_stock_cleared"
PACKAGE_REGISTERED = "logistics.package.registered"
PACKAGE_CANCELLATION_REFUSED = "logistics.package.cancellation_refused"
# Each reservation event's new state of the reservation.
RESERVATION_EVENTS = {
    "inventory.reservation.committed": ReservationStatus.COMMITTED,
    "inventory.reservation.released": ReservationStatus.RELEASED,
    "inventory.reservation.expired": ReservationStatus.EXPIRED,
    "inventory.reservation.commit_refused": ReservationStatus.COMMIT_REFUSED,
}
# Each lifecycle event's status of the package, and the attribute its timeline note is.
PACKAGE_EVENTS = {
    "logistics.package.dispatched": (TrackingStatus.IN_TRANSIT, None),
    "logistics.package.checkpoint_recorded": (TrackingStatus.IN_TRANSIT, "note"),
    "logistics.package.delivered": (TrackingStatus.DELIVERED, None),
    "logistics.package.delivery_failed": (TrackingStatus.DELIVERY_FAILED, "reason"),
    "logistics.package.returned": (TrackingStatus.RETURNED, "reason"),
    "logistics.package.cancelled": (TrackingStatus.CANCELLED, "reason"),
}
PACKAGE_DELIVERED = "logistics.package.delivered"
PACKAGE_DISPATCHED = "logistics.package.dispatched"
# Each stock event's change to the item's stock, from the attribute that carries it.
STOCK_CHANGES: dict[str, tuple[str, Callable[[int], StockUnits]]] = {
    STOCK_ITEM_ADDED: ("quantity", StockUnits.received),
    STOCK_ITEM_RESERVED: ("quantity", StockUnits.reserved_units),
    "inventory.reservation.released": ("quantity", StockUnits.given_back),
    "inventory.reservation.expired": ("quantity", StockUnits.given_back),
    "inventory.reservation.committed": ("quantity", StockUnits.committed),
    "inventory.stock_item.replenished": ("quantity", StockUnits.received),
    "inventory.stock_item.adjusted": ("delta", StockUnits.counted),
    "inventory.stock_item.restocked": ("quantity", StockUnits.restocked),
}


async def catalog_on_stock_item_added(event: EventEnvelope, uow: BackofficeUnitOfWork) -> None:
    """Learn the item, and give its name and warehouse to views projected before it was
    known."""
    stock_item_id, name = read.text(event, "id"), read.text(event, "name")
    warehouse = read.optional_text(event, "warehouse")
    await uow.catalog.remember(
        stock_item_id,
        name,
        warehouse=warehouse,
        sku=read.optional_text(event, "sku"),
        threshold=read.whole_number(event, "lowStockThreshold", default=0),
    )
    for view in await uow.tracking_views.unnamed_for_stock_item(stock_item_id):
        await uow.tracking_views.save(view.named(name, warehouse=warehouse))


async def count_on_stock_moved(event: EventEnvelope, uow: BackofficeUnitOfWork) -> None:
    """Add the event's change to the item's stock."""
    attribute, change = STOCK_CHANGES[event.name]
    await uow.catalog.move(read.text(event, "id"), change(read.whole_number(event, attribute)))


async def catalog_on_stock_event(event: EventEnvelope, uow: BackofficeUnitOfWork) -> None:
    """The catalog's share of an Inventory event: the item learned, its low-stock level
    kept, its stock summed."""
    if event.name == STOCK_ITEM_ADDED:
        await catalog_on_stock_item_added(event, uow)
    elif event.name in (LOW_STOCK, LOW_STOCK_CLEARED):
        await alert_on_stock_level(event, uow)
    if event.name in STOCK_CHANGES:
        await count_on_stock_moved(event, uow)


async def alert_on_stock_level(event: EventEnvelope, uow: BackofficeUnitOfWork) -> None:
    """Keep the item's latest low-stock fact by the item's version."""
    await uow.stock_alerts.record(
        StockLevel(
            stock_item_id=read.text(event, "id"),
            low=event.name == LOW_STOCK,
            available=read.whole_number(event, "available"),
            threshold=read.whole_number(event, "threshold"),
            since=event.occurred_on,
            version=read.version(event, first=0),
        )
    )


async def track_on_stock_item_reserved(event: EventEnvelope, uow: BackofficeUnitOfWork) -> None:
    """Start (or complete) the reservation's view, named if the item is known."""
    stock_item_id = read.text(event, "id")
    known = await uow.catalog.entry_of(stock_item_id)
    await _change(
        event,
        uow,
        lambda view: view.reserved(
            stock_item_id=stock_item_id,
            quantity=read.whole_number(event, "quantity"),
            stock_item_name=known.name if known else None,
            warehouse=known.warehouse if known else None,
            on=event.occurred_on,
            event_id=event.event_id,
        ),
    )


async def track_on_reservation_changed(event: EventEnvelope, uow: BackofficeUnitOfWork) -> None:
    """Mirror the reservation's state (the view may not have seen the reservation yet)."""
    status = RESERVATION_EVENTS[event.name]
    await _change(event, uow, lambda view: view.reservation_became(status))


async def track_on_package_registered(event: EventEnvelope, uow: BackofficeUnitOfWork) -> None:
    """Attach the package; the view may not have seen its reservation yet."""
    await _change(
        event,
        uow,
        lambda view: view.package_registered(
            package_id=read.text(event, "id"),
            tracking_number=read.text(event, "trackingNumber"),
            on=event.occurred_on,
            event_id=event.event_id,
            version=read.version(event, default=1),
        ),
    )


async def track_on_package_moved(event: EventEnvelope, uow: BackofficeUnitOfWork) -> None:
    """One step of the package's life: a timeline entry at the package's version."""
    status, note = PACKAGE_EVENTS[event.name]
    entry = TimelineEntry(
        occurred_on=event.occurred_on,
        status=status,
        version=read.version(event),
        event_id=event.event_id,
        location=read.optional_text(event, "location"),
        note=read.optional_text(event, note) if note else None,
        carrier=read.text(event, "carrier") if event.name == PACKAGE_DISPATCHED else None,
    )
    package_id = read.text(event, "id")
    if event.name == PACKAGE_DELIVERED:
        signed_by = read.text(event, "signedBy")
        await _change(
            event,
            uow,
            lambda view: view.package_delivered(entry, package_id=package_id, signed_by=signed_by),
        )
    else:
        await _change(event, uow, lambda view: view.package_moved(entry, package_id=package_id))


async def track_on_cancellation_refused(event: EventEnvelope, uow: BackofficeUnitOfWork) -> None:
    """Logistics kept the package going although its reservation went away."""
    refusal = CancellationRefused(
        occurred_on=event.occurred_on,
        status=read.text(event, "status"),
        reason=read.text(event, "reason"),
    )
    await _change(event, uow, lambda view: view.cancellation_was_refused(refusal))


async def _change(
    event: EventEnvelope, uow: BackofficeUnitOfWork, change: Callable[[TrackingView], TrackingView]
) -> None:
    """Apply ``change`` to the event's view (a new one if none exists) and save it."""
    reservation_id = read.text(event, "reservationId")
    view = await uow.tracking_views.get(reservation_id) or TrackingView(reservation_id)
    await uow.tracking_views.save(change(view))


Projector = Callable[[EventEnvelope, BackofficeUnitOfWork], Awaitable[None]]

# The projector of each event the tracking views need (what a rebuild replays; the
# catalog's own share of Inventory's events is ``catalog_on_stock_event``).
PROJECTORS: dict[str, Projector] = {
    STOCK_ITEM_ADDED: catalog_on_stock_item_added,
    LOW_STOCK: alert_on_stock_level,
    LOW_STOCK_CLEARED: alert_on_stock_level,
    STOCK_ITEM_RESERVED: track_on_stock_item_reserved,
    PACKAGE_REGISTERED: track_on_package_registered,
    PACKAGE_CANCELLATION_REFUSED: track_on_cancellation_refused,
    **dict.fromkeys(RESERVATION_EVENTS, track_on_reservation_changed),
    **dict.fromkeys(PACKAGE_EVENTS, track_on_package_moved),
}
CATALOG_ONLY = frozenset({STOCK_ITEM_ADDED, LOW_STOCK, LOW_STOCK_CLEARED})
CATALOG_PROJECTED = CATALOG_ONLY | frozenset(STOCK_CHANGES)
TRACKING_PROJECTED = frozenset(PROJECTORS) - CATALOG_ONLY


async def project(event: EventEnvelope, uow: BackofficeUnitOfWork) -> None:
    """Apply ``event`` with its projector."""
    await PROJECTORS[event.name](event, uow)


def added_stock_item_of(event: EventEnvelope) -> str | None:
    """The stock item an ``added`` event enters into the catalog."""
    return stock_item_of(event) if event.name == STOCK_ITEM_ADDED else None


def stock_item_of(event: EventEnvelope) -> str | None:
    """The stock item whose catalog entry handling the event uses, if any."""
    used = event.name in (STOCK_ITEM_ADDED, STOCK_ITEM_RESERVED)
    value = event.attributes.get("id") if used else None
    return value if isinstance(value, str) else None


def reservation_of(event: EventEnvelope) -> str | None:
    """The reservation an event's view is keyed by, if it concerns one."""
    value = event.attributes.get("reservationId")
    return value if isinstance(value, str) else None
