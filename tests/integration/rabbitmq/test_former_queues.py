"""A subscriber renamed keeps what its former queue held: the consumer works the queue
off, and it takes no new events."""

import asyncio
import subprocess

import aio_pika
import pytest
from yarl import URL

from logistics_platform.bootstrap import Platform
from logistics_platform.shared.infrastructure.messaging.rabbitmq.topology import Topology
from tests.integration.rabbitmq.broker import Broker, messages_in
from tests.integration.rabbitmq.conftest import Background, eventually
from tests.mothers.inventory import a_reservation_of, an_add_stock_item

pytestmark = [pytest.mark.postgres, pytest.mark.rabbitmq]

TRACKING = "backoffice.tracking"
RESERVED = "inventory.stock_item.reserved"


async def test_events_left_in_a_former_queue_are_applied_and_it_takes_no_new_ones(
    production: Platform, background: Background
) -> None:
    topology = Topology.from_settings(production.settings)
    [tracking] = [s for s in production.subscribers if s.name == TRACKING]
    former, current = topology.queue(tracking.formerly[0]), topology.queue(TRACKING)
    connection = await aio_pika.connect(production.settings.rabbitmq_url or "")
    async with connection:
        channel = await connection.channel()

        # Before the upgrade: the former queue, bound to its event, holds a reservation's.
        await topology.declare(channel, production.subscribers)
        old = await channel.declare_queue(former, durable=True)
        await old.bind(topology.exchange, routing_key=RESERVED)
        background.start(production.relay().run)
        add = an_add_stock_item(name="Pixel 9")
        earlier = a_reservation_of(add.id)
        await production.commands.handle(add)
        await production.commands.handle(earlier)
        await eventually(lambda: messages_in(channel, former), what="the event in the former queue")
        await (await channel.declare_queue(current, passive=True)).purge()

        consuming = background.start(production.consumer(production.subscribers, name="all").run)
        # Named only if its reservation was applied (the package's event has no item).
        await eventually(
            lambda: _registered(production, earlier.reservation_id, named="Pixel 9"),
            what="the earlier view, registered and named",
        )

        consuming.cancel()  # and wait until it stopped: else it may take the later event
        await asyncio.gather(consuming, return_exceptions=True)
        later = a_reservation_of(add.id)
        await production.commands.handle(later)
        await eventually(
            lambda: messages_in(channel, current), what="the later event in the current queue"
        )
        assert await messages_in(channel, former) == 0


async def _registered(platform: Platform, reservation_id: str, *, named: str) -> bool:
    view = await platform.tracking.find(reservation_id)
    return view is not None and view.status.value == "registered" and view.stock_item_name == named


async def test_a_former_queue_that_does_not_exist_leaves_no_channel_open(
    production: Platform, broker: Broker, background: Background
) -> None:
    vhost = URL(broker.url).path.lstrip("/")
    if not vhost:
        pytest.skip("the broker is shared (names of its own, no vhost): channels not countable")
    consumer = production.consumer(production.subscribers, name="all")
    background.start(consumer.run)
    await asyncio.wait_for(consumer.started.wait(), 60)
    await asyncio.sleep(1)  # a channel the broker closed would have been reopened by now

    listed = await asyncio.to_thread(
        subprocess.run,
        ["rabbitmqctl", "-q", "list_channels", "vhost"],
        capture_output=True,
        text=True,
        check=True,
    )

    # One channel per subscriber's queue, and none left over from looking for old ones.
    assert listed.stdout.split().count(vhost) == len(production.subscribers)
