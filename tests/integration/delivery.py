"""Test subscribers for the embedded delivery, and reservations for them to handle."""

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from typing import Any

from logistics_platform.bootstrap import Platform
from logistics_platform.logistics.infrastructure.unit_of_work import SqlLogisticsUnitOfWork
from logistics_platform.shared.application.envelope import EventEnvelope
from logistics_platform.shared.application.subscriber import Subscriber
from logistics_platform.shared.application.unit_of_work import Causation
from tests.mothers.inventory import a_reservation_of, an_add_stock_item

RESERVED = frozenset({"inventory.stock_item.reserved"})
Handler = Callable[[EventEnvelope, SqlLogisticsUnitOfWork], Awaitable[None]]


def subscriber(
    platform: Platform, name: str, handler: Handler, *, batch_window: float | None = None
) -> Subscriber[SqlLogisticsUnitOfWork]:
    def unit_of_work(causation: Causation) -> SqlLogisticsUnitOfWork:
        return SqlLogisticsUnitOfWork(platform.engine, causation=causation)

    return Subscriber(name, RESERVED, handler, unit_of_work, batch_window=batch_window)


class Batches:
    """A subscriber that notes the size of each transaction's batch (``sizes``)."""

    def __init__(self) -> None:
        self.sizes: list[int] = []

    async def handle(self, event: EventEnvelope, uow: SqlLogisticsUnitOfWork) -> None:
        pass

    async def prepare(self, events: Sequence[EventEnvelope], uow: SqlLogisticsUnitOfWork) -> None:
        self.sizes.append(len(events))

    def of(self, platform: Platform, name: str, *, batch_window: float) -> Subscriber[Any]:
        return replace(
            subscriber(platform, name, self.handle, batch_window=batch_window),
            prepare=self.prepare,
        )


async def reserve_three(platform: Platform) -> list[str]:
    return await reserve(platform, 3)


async def reserve(platform: Platform, count: int) -> list[str]:
    """``count`` reservations, one at a time, of a new stock item."""
    added = an_add_stock_item(quantity=10)
    await platform.commands.handle(added)
    ids = []
    for _ in range(count):
        command = a_reservation_of(added.id, quantity=1)
        await platform.commands.handle(command)
        ids.append(command.reservation_id)
    return ids
