import dataclasses
from typing import Any

import aio_pika
import pytest

from logistics_platform.bootstrap import Platform
from logistics_platform.shared.application.envelope import EventEnvelope
from logistics_platform.shared.application.subscriber import Subscriber
from logistics_platform.shared.infrastructure.messaging.rabbitmq.topology import Topology
from tests.integration.rabbitmq.checks import assert_applied_once
from tests.integration.rabbitmq.conftest import Background, eventually
from tests.mothers.inventory import a_reservation_of, an_add_stock_item
from tests.processes import Processes

pytestmark = [pytest.mark.postgres, pytest.mark.rabbitmq]

CREATE_PACKAGE = "logistics.create_package_on_stock_item_reserved"


class Outage:
    """A handler's dependency that is down until fixed."""

    def __init__(self) -> None:
        self.fixed = False

    def breaking(self, subscriber: Subscriber[Any]) -> Subscriber[Any]:
        handler = subscriber.handler

        async def unless_fixed(envelope: EventEnvelope, uow: Any) -> None:
            if not self.fixed:
                raise RuntimeError("carrier API unreachable")
            await handler(envelope, uow)

        return dataclasses.replace(subscriber, handler=unless_fixed)


async def test_a_handler_that_always_fails_is_dead_lettered_and_applied_once_when_republished(
    production: Platform, processes: Processes, background: Background
) -> None:
    outage = Outage()
    subscribers = [
        outage.breaking(s) if s.name == CREATE_PACKAGE else s for s in production.subscribers
    ]
    background.start(production.relay().run)
    background.start(production.consumer(subscribers, name="all").run)
    dead_letters = production.dead_letters()
    add = an_add_stock_item(name="Pixel 9")
    reservation = a_reservation_of(add.id)
    await production.commands.handle(add)
    await production.commands.handle(reservation)

    [letter] = await eventually(dead_letters.peek, what="a dead letter")
    assert (letter.subscriber, letter.event_name) == (
        CREATE_PACKAGE,
        "inventory.stock_item.reserved",
    )
    assert letter.attempts == production.settings.max_delivery_attempts
    assert "carrier API unreachable" in letter.reason

    async def tracked() -> Any:
        # The other subscribers went on: their own queues, at their own pace.
        found = await production.tracking.find(reservation.reservation_id)
        return found if found is not None and found.stock_item_name is not None else None

    view = await eventually(tracked, what="the tracking view of the reservation")
    assert (view.status, view.stock_item_name) == ("reserved", "Pixel 9")

    code, listing = await processes.complete("dead-letters", "list", "--subscriber", CREATE_PACKAGE)
    assert code == 0, listing
    assert letter.event_id in listing
    assert "1 dead letter(s)" in listing

    outage.fixed = True
    code, output = await processes.complete(
        "dead-letters", "republish", "--event-id", letter.event_id
    )
    assert code == 0, output
    assert "republished 1, failed again 0" in output

    async def registered() -> bool:
        found = await production.tracking.find(reservation.reservation_id)
        return found is not None and found.status == "registered"

    await eventually(registered, what="the package after republishing")
    await assert_applied_once(production, [reservation.reservation_id])
    assert await dead_letters.peek() == []


async def test_a_malformed_message_goes_straight_to_the_dead_letters(
    production: Platform, background: Background
) -> None:
    consumer = production.consumer(production.subscribers, name="all")
    background.start(consumer.run)
    await eventually(lambda: _started(consumer), what="the consumer")
    topology = Topology.from_settings(production.settings)
    connection = await aio_pika.connect(production.settings.rabbitmq_url or "")
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        exchange = await channel.get_exchange(topology.exchange)
        await exchange.publish(
            aio_pika.Message(b'{"data": "not an envelope"}'),
            routing_key="inventory.stock_item.reserved",
        )

    letters = await eventually(
        lambda: _at_least(production, 3), what="every subscriber to dead-letter it"
    )
    assert sorted(letter.subscriber for letter in letters) == [
        "backoffice.catalog_on_stock_item_added",  # it keeps the item's stock figures
        "backoffice.tracking",
        CREATE_PACKAGE,  # not the webhooks' fan-out: the broker routes it nothing unfollowed
    ]
    assert all(letter.attempts == 1 for letter in letters)
    assert all("malformed event envelope" in letter.reason for letter in letters)


async def _started(consumer: Any) -> bool:
    return bool(consumer.started.is_set())


async def _at_least(platform: Platform, count: int) -> list[Any]:
    letters = await platform.dead_letters().peek()
    return letters if len(letters) >= count else []
