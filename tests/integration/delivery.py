"""Test subscribers for the embedded delivery, and reservations for them to handle."""

from collections.abc import Awaitable, Callable

from logistics_platform.bootstrap import Platform
from logistics_platform.logistics.infrastructure.unit_of_work import SqlLogisticsUnitOfWork
from logistics_platform.shared.application.envelope import EventEnvelope
from logistics_platform.shared.application.subscriber import Subscriber
from logistics_platform.shared.application.unit_of_work import Causation
from tests.mothers.inventory import a_reservation_of, an_add_stock_item

RESERVED = frozenset({"inventory.stock_item.reserved"})
Handler = Callable[[EventEnvelope, SqlLogisticsUnitOfWork], Awaitable[None]]


def subscriber(
    platform: Platform, name: str, handler: Handler
) -> Subscriber[SqlLogisticsUnitOfWork]:
    def unit_of_work(causation: Causation) -> SqlLogisticsUnitOfWork:
        return SqlLogisticsUnitOfWork(platform.engine, causation=causation)

    return Subscriber(name, RESERVED, handler, unit_of_work)


async def reserve_three(platform: Platform) -> list[str]:
    added = an_add_stock_item(quantity=10)
    await platform.commands.handle(added)
    ids = []
    for _ in range(3):
        command = a_reservation_of(added.id, quantity=1)
        await platform.commands.handle(command)
        ids.append(command.reservation_id)
    return ids
