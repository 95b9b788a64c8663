"""Projectors: keep tracking views up to date from Inventory's and Logistics' events."""

from collections.abc import Awaitable, Callable
from typing import Any

from logistics_platform.backoffice.application.ports import BackofficeUnitOfWork
from logistics_platform.backoffice.domain.tracking_view import TrackingView
from logistics_platform.shared.application.envelope import EventEnvelope
from logistics_platform.shared.domain.errors import InvalidArgument

STOCK_ITEM_ADDED = "inventory.stock_item.added"
STOCK_ITEM_RESERVED = "inventory.stock_item.reserved"
PACKAGE_REGISTERED = "logistics.package.registered"


async def catalog_on_stock_item_added(event: EventEnvelope, uow: BackofficeUnitOfWork) -> None:
    """Learn the item's name, and give it to views that were projected before it was known."""
    stock_item_id, name = _text(event, "id"), _text(event, "name")
    await uow.catalog.remember(stock_item_id, name)
    for view in await uow.tracking_views.unnamed_for_stock_item(stock_item_id):
        await uow.tracking_views.save(view.named(name))


async def track_on_stock_item_reserved(event: EventEnvelope, uow: BackofficeUnitOfWork) -> None:
    """Start (or complete) the reservation's view, named if the item's name is known."""
    reservation_id, stock_item_id = _text(event, "reservationId"), _text(event, "id")
    view = await uow.tracking_views.get(reservation_id) or TrackingView(reservation_id)
    await uow.tracking_views.save(
        view.reserved(
            stock_item_id=stock_item_id,
            quantity=_whole_number(event, "quantity"),
            stock_item_name=await uow.catalog.name_of(stock_item_id),
            on=event.occurred_on,
        )
    )


async def track_on_package_registered(event: EventEnvelope, uow: BackofficeUnitOfWork) -> None:
    """Attach the package; the view may not have seen its reservation yet."""
    reservation_id = _text(event, "reservationId")
    view = await uow.tracking_views.get(reservation_id) or TrackingView(reservation_id)
    await uow.tracking_views.save(
        view.package_registered(
            package_id=_text(event, "id"),
            tracking_number=_text(event, "trackingNumber"),
            on=event.occurred_on,
        )
    )


Projector = Callable[[EventEnvelope, BackofficeUnitOfWork], Awaitable[None]]

# The projector of each event the backoffice follows.
PROJECTORS: dict[str, Projector] = {
    STOCK_ITEM_ADDED: catalog_on_stock_item_added,
    STOCK_ITEM_RESERVED: track_on_stock_item_reserved,
    PACKAGE_REGISTERED: track_on_package_registered,
}


async def project(event: EventEnvelope, uow: BackofficeUnitOfWork) -> None:
    """Apply ``event`` with its projector."""
    await PROJECTORS[event.name](event, uow)


def stock_item_of(event: EventEnvelope) -> str | None:
    """The stock item whose catalog entry handling the event uses, if any."""
    value = event.attributes.get("id") if event.name.startswith("inventory.stock_item.") else None
    return value if isinstance(value, str) else None


def reservation_of(event: EventEnvelope) -> str | None:
    """The reservation an event's view is keyed by, if it concerns one."""
    value = event.attributes.get("reservationId")
    return value if isinstance(value, str) else None


def _attribute(event: EventEnvelope, name: str) -> Any:
    if name not in event.attributes:
        raise InvalidArgument(f"{event.name} {event.event_id} lacks {name!r}")
    return event.attributes[name]


def _text(event: EventEnvelope, name: str) -> str:
    value = _attribute(event, name)
    if not isinstance(value, str) or not value:
        raise InvalidArgument(f"{event.name} {event.event_id}: {name!r} must be a non-empty text")
    return value


def _whole_number(event: EventEnvelope, name: str) -> int:
    value = _attribute(event, name)
    if type(value) is not int:
        raise InvalidArgument(f"{event.name} {event.event_id}: {name!r} must be a whole number")
    return value
