"""Test subscribers for the embedded delivery, and reservations for them to handle."""

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from typing import Any

from logistics_platform.bootstrap import Platform
from logistics_platform.logistics.infrastructure.unit_of_work import SqlLogisticsUnitOfWork
from logistics_platform.shared.application.envelope import EventEnvelope
from logistics_platform.shared.application.subscriber import Subscriber
from logistics_platform.shared.application.unit_of_work import Causation
from tests.mothers.inventory import a_reservation_of, an_add_stock_item
from tests.waiting import eventually

RESERVED = frozenset({"inventory.stock_item.reserved"})
Handler = Callable[[EventEnvelope, SqlLogisticsUnitOfWork], Awaitable[None]]


def subscriber(
    platform: Platform, name: str, handler: Handler, *, batch_window: float | None = None
) -> Subscriber[SqlLogisticsUnitOfWork]:
    def unit_of_work(causation: Causation) -> SqlLogisticsUnitOfWork:
        return SqlLogisticsUnitOfWork(platform.engine, causation=causation)

    return Subscriber(name, RESERVED, handler, unit_of_work, batch_window=batch_window)


# Wide enough for a loaded machine to commit two reservations within it.
BATCH_WINDOW = 3.0


class Batches:
    """A subscriber that notes the size of each transaction's batch (``sizes``)."""

    def __init__(self) -> None:
        self.sizes: list[int] = []

    async def handle(self, event: EventEnvelope, uow: SqlLogisticsUnitOfWork) -> None:
        pass

    async def prepare(self, events: Sequence[EventEnvelope], uow: SqlLogisticsUnitOfWork) -> None:
        self.sizes.append(len(events))

    def of(self, platform: Platform, name: str) -> Subscriber[Any]:
        """A subscriber of reservations with a window of ``BATCH_WINDOW``."""
        return replace(
            subscriber(platform, name, self.handle, batch_window=BATCH_WINDOW),
            prepare=self.prepare,
        )

    async def one_then_two_within_the_window(self, platform: Platform) -> None:
        """A reservation after a quiet spell, handled at once and alone; then two more,
        apart but within the window (without it, each would go alone), handled."""
        await reserve(platform, 1)

        async def first_handled() -> bool:
            return self.sizes == [1]

        await eventually(first_handled, what="the first event, alone")
        await reserve(platform, 1)
        await asyncio.sleep(BATCH_WINDOW / 10)
        await reserve(platform, 1)

        async def all_handled() -> bool:
            return sum(self.sizes) == 3

        await eventually(all_handled, what="the next two")


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
