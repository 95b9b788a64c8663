"""The backoffice's event subscribers, each recording its progress."""

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from logistics_platform.backoffice.application.ports import BackofficeUnitOfWork
from logistics_platform.backoffice.application.projectors import (
    FORMERLY,
    SUBSCRIPTIONS,
    project,
    reservation_of,
    stock_item_of,
)
from logistics_platform.shared.application.envelope import EventEnvelope
from logistics_platform.shared.application.subscriber import Subscriber
from logistics_platform.shared.application.unit_of_work import Causation


def subscriber_name(subscription: str) -> str:
    return f"backoffice.{subscription}"


def backoffice_subscribers(
    unit_of_work: Callable[[Causation], BackofficeUnitOfWork],
) -> list[Subscriber[Any]]:
    """Subscribers named ``backoffice.<subscription>`` (their queues and checkpoints)."""
    return [
        Subscriber(
            subscriber_name(subscription),
            events,
            _recording_progress(subscriber_name(subscription)),
            unit_of_work,
            prepare=_prefetch,
            formerly=tuple(map(subscriber_name, FORMERLY.get(subscription, ()))),
        )
        for subscription, events in SUBSCRIPTIONS.items()
    ]


def backoffice_projections(subscribers: Iterable[Subscriber[Any]]) -> dict[str, frozenset[str]]:
    """The backoffice's subscribers among ``subscribers``, and the events each follows."""
    return {s.name: s.events for s in subscribers if s.name.startswith("backoffice.")}


def _recording_progress(name: str) -> Callable[[EventEnvelope, BackofficeUnitOfWork], Any]:
    async def project_and_record(event: EventEnvelope, uow: BackofficeUnitOfWork) -> None:
        await project(event, uow)
        await uow.progress.record(name, event)

    return project_and_record


async def _prefetch(events: Sequence[EventEnvelope], uow: BackofficeUnitOfWork) -> None:
    """Before a batch: its views, then its catalog entries, each in one go (and always in
    this order, so that concurrent batches wait for one another rather than deadlock)."""
    reservations = {reservation for event in events if (reservation := reservation_of(event))}
    if reservations:
        await uow.tracking_views.prefetch(reservations)
    stock_items = {item for event in events if (item := stock_item_of(event))}
    if stock_items:
        await uow.catalog.prefetch(stock_items)
