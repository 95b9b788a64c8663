"""The backoffice's event subscribers, each recording its progress. Their names, events
and units of work are declared in the subscriber table (``bootstrap.Platform.subscribers``)."""

from collections.abc import Callable, Sequence
from typing import Any

from logistics_platform.backoffice.application.ports import BackofficeUnitOfWork
from logistics_platform.backoffice.application.projectors import (
    CATALOG_PROJECTED,
    TRACKING_PROJECTED,
    added_stock_item_of,
    catalog_on_stock_event,
    project,
    reservation_of,
    stock_item_of,
)
from logistics_platform.shared.application.envelope import EventEnvelope

CATALOG = "backoffice.catalog_on_stock_item_added"
# The catalog also keeps each item's low-stock level and stock (the name stays: it names
# a queue).
CATALOG_EVENTS = CATALOG_PROJECTED
# A reservation's events share one subscriber: its view has one writer, which takes them
# as they come, in batches of either kind. The catalog stays on its own: naming views
# queries the store, which must not miss views its own batch created.
TRACKING = "backoffice.tracking"
TRACKING_EVENTS = TRACKING_PROJECTED
# The tracking subscriber's names before migration 0004 (which carried their records over).
FORMERLY_TRACKING = (
    "backoffice.track_on_stock_item_reserved",
    "backoffice.track_on_package_registered",
)


def projecting(name: str) -> Callable[[EventEnvelope, BackofficeUnitOfWork], Any]:
    """The handler of the subscriber ``name``: project the event, record the progress."""

    projector = catalog_on_stock_event if name == CATALOG else project

    async def project_and_record(event: EventEnvelope, uow: BackofficeUnitOfWork) -> None:
        await projector(event, uow)
        await uow.progress.record(name, event)

    return project_and_record


async def load_views_and_names(events: Sequence[EventEnvelope], uow: BackofficeUnitOfWork) -> None:
    """Before a batch: its views, then its catalog entries, each in one go (and always in
    this order, so that concurrent batches wait for one another rather than deadlock)."""
    reservations = {reservation for event in events if (reservation := reservation_of(event))}
    if reservations:
        await uow.tracking_views.prefetch(reservations)
    stock_items = {item for event in events if (item := stock_item_of(event))}
    if stock_items:
        await uow.catalog.prefetch(stock_items)


async def load_catalog_entries(events: Sequence[EventEnvelope], uow: BackofficeUnitOfWork) -> None:
    """Before a catalog batch: the entries of the items it adds, in one go (the stock
    changes of the others are written together at commit)."""
    stock_items = {item for event in events if (item := added_stock_item_of(event))}
    if stock_items:
        await uow.catalog.prefetch(stock_items)
