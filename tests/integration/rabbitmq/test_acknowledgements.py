"""The consumer acknowledges what it handled (a batch's acks go out together): once it
has stopped, no handled event is left in its queues to come back."""

import asyncio

import aio_pika
import pytest

from logistics_platform.bootstrap import Platform
from logistics_platform.shared.infrastructure.messaging.rabbitmq.topology import Topology
from tests.integration.rabbitmq.broker import messages_in
from tests.integration.rabbitmq.conftest import Background, eventually, scalar
from tests.mothers.inventory import an_add_stock_item

pytestmark = [pytest.mark.postgres, pytest.mark.rabbitmq]

EVENTS = 60


async def test_every_handled_event_is_acknowledged_so_none_comes_back_after_a_stop(
    production: Platform, background: Background
) -> None:
    background.start(production.relay().run)
    consumer = background.start(production.consumer(production.subscribers, name="all").run)
    await asyncio.gather(*(production.commands.handle(an_add_stock_item()) for _ in range(EVENTS)))
    subscribers = [s for s in production.subscribers if "inventory.stock_item.added" in s.events]
    # The webhooks' fan-out passes over events no webhook follows: it keeps no record.
    recording = [s.name for s in subscribers if s.wants is None]

    async def all_handled() -> bool:
        handled = await scalar(
            production.engine,
            "SELECT count(*) FROM processed_events WHERE subscriber = ANY(:names)",
            names=recording,
        )
        return bool(handled == EVENTS * len(recording))

    await eventually(all_handled, what="every event handled")
    consumer.cancel()
    await asyncio.gather(consumer, return_exceptions=True)

    assert await _left_in(production, [s.name for s in subscribers]) == dict.fromkeys(
        (s.name for s in subscribers), 0
    )


async def _left_in(platform: Platform, subscribers: list[str]) -> dict[str, int]:
    """Messages in each subscriber's queue, unacknowledged ones included (nobody consumes)."""
    topology = Topology.from_settings(platform.settings)
    connection = await aio_pika.connect(platform.settings.rabbitmq_url or "")
    async with connection:
        channel = await connection.channel()
        return {name: await messages_in(channel, topology.queue(name)) for name in subscribers}
