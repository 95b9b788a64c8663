"""The broker routes to the webhooks' fan-out only the events some webhook follows: the
relay binds its queue to match before each batch, so the rest are not even queued."""

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import aio_pika
import pytest

from logistics_platform.backoffice.application.webhooks import WEBHOOKS
from logistics_platform.bootstrap import Platform
from logistics_platform.shared.application.envelope import EventEnvelope
from logistics_platform.shared.application.unit_of_work import Causation
from logistics_platform.shared.infrastructure.messaging.rabbitmq.publisher import RabbitMqPublisher
from logistics_platform.shared.infrastructure.messaging.rabbitmq.topology import Topology
from logistics_platform.shared.infrastructure.messaging.relay import OutboxRelay
from logistics_platform.shared.infrastructure.persistence import outbox
from tests.integration.rabbitmq.broker import messages_in
from tests.mothers.webhooks import a_subscription

pytestmark = [pytest.mark.postgres, pytest.mark.rabbitmq]

ADDED, RESERVED = "inventory.stock_item.added", "inventory.stock_item.reserved"
CATALOG = "backoffice.catalog_on_stock_item_added"


class Relays:
    """Relays as separate processes would have them: a publisher of their own each."""

    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self.publishers: list[RabbitMqPublisher] = []

    def new(self) -> OutboxRelay:
        settings = self.platform.settings
        publisher = RabbitMqPublisher(
            settings.rabbitmq_url or "", self.topology, self.platform.subscribers
        )
        self.publishers.append(publisher)
        return OutboxRelay(self.platform.engine, publisher, poll_interval=60)

    @property
    def topology(self) -> Topology:
        return Topology.from_settings(self.platform.settings)

    async def queued(self, subscriber: str) -> int:
        connection = await aio_pika.connect(self.platform.settings.rabbitmq_url or "")
        async with connection:
            channel = await connection.channel()
            return await messages_in(channel, self.topology.queue(subscriber))


@pytest.fixture
async def relays(production: Platform) -> AsyncIterator[Relays]:
    relays = Relays(production)
    yield relays
    for publisher in relays.publishers:
        await publisher.close()


async def record(platform: Platform, name: str) -> None:
    id = str(uuid.uuid4())
    event = EventEnvelope(
        event_id=id, name=name, occurred_on=datetime.now(UTC), aggregate_id=id, attributes={}
    )
    async with platform.engine.begin() as connection:
        await outbox.append(connection, [event])


async def follow(platform: Platform, *names: str) -> str:
    subscription = a_subscription("https://receiver.example.com/hook", *names)
    async with platform.webhooks(Causation()) as uow:
        await uow.subscriptions.add(subscription)
        await uow.commit()
    platform.followed_events.forget()  # as the Backoffice API does when it adds one
    return subscription.id


async def unfollow(platform: Platform, subscription: str) -> None:
    async with platform.webhooks(Causation()) as uow:
        assert await uow.subscriptions.remove(subscription)
        await uow.commit()
    platform.followed_events.forget()


async def test_the_fan_out_s_queue_gets_only_the_events_a_webhook_follows(
    production: Platform, relays: Relays
) -> None:
    relay = relays.new()
    await record(production, ADDED)
    assert await relay.relay_batch() == 1
    assert (await relays.queued(WEBHOOKS), await relays.queued(CATALOG)) == (0, 1)

    subscription = await follow(production, RESERVED)
    await record(production, ADDED)
    await record(production, RESERVED)
    assert await relay.relay_batch() == 2
    assert await relays.queued(WEBHOOKS) == 1  # the reservation, not the added item

    await unfollow(production, subscription)
    await record(production, RESERVED)
    assert await relay.relay_batch() == 1
    assert await relays.queued(WEBHOOKS) == 1


async def test_a_relay_that_starts_unbinds_what_an_earlier_one_left_bound(
    production: Platform, relays: Relays
) -> None:
    subscription = await follow(production, "*")
    await record(production, RESERVED)
    assert await relays.new().relay_batch() == 1
    assert await relays.queued(WEBHOOKS) == 1
    await unfollow(production, subscription)

    await record(production, RESERVED)
    assert await relays.new().relay_batch() == 1  # knows nothing of the earlier bindings

    assert await relays.queued(WEBHOOKS) == 1
