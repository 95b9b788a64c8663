import asyncio
import uuid
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime

import aio_pika
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from logistics_platform.bootstrap import Platform
from logistics_platform.shared.application.envelope import EventEnvelope
from logistics_platform.shared.infrastructure.messaging.rabbitmq.publisher import RabbitMqPublisher
from logistics_platform.shared.infrastructure.messaging.rabbitmq.topology import Topology
from logistics_platform.shared.infrastructure.messaging.relay import OutboxRelay
from logistics_platform.shared.infrastructure.persistence import outbox, tables
from logistics_platform.shared.infrastructure.persistence.database import create_engine
from tests.integration.rabbitmq.checks import unpublished
from tests.integration.rabbitmq.conftest import Background, eventually
from tests.mothers.inventory import an_add_stock_item

pytestmark = [pytest.mark.postgres, pytest.mark.rabbitmq]

CATALOG = "backoffice.catalog_on_stock_item_added"


_OPEN: list[RabbitMqPublisher] = []  # closed after each test, see _closed_publishers


@pytest.fixture(autouse=True)
async def _closed_publishers(production: Platform) -> AsyncIterator[None]:
    """Closes the publishers of relays that were never run (``relay_batch()`` alone) before
    the test's vhost goes: a connection left open would try to reconnect to it for ever."""
    yield
    while _OPEN:
        await _OPEN.pop().close()


class _CountingBatches(RabbitMqPublisher):
    """The broker publisher, noting how many events each batch carried."""

    def __init__(self, platform: Platform) -> None:
        settings = platform.settings
        super().__init__(
            settings.rabbitmq_url or "", Topology.from_settings(settings), platform.subscribers
        )
        self.batches: list[int] = []
        _OPEN.append(self)

    async def publish(self, envelopes: Sequence[EventEnvelope]) -> None:
        await super().publish(envelopes)
        self.batches.append(len(envelopes))


class _HoldingTheFirstBatch(_CountingBatches):
    """Once the broker confirmed the first batch, keeps it from being marked (as a slow
    confirm would) until another batch was published, or for 60 s at most."""

    def __init__(self, platform: Platform) -> None:
        super().__init__(platform)
        self.another_published = asyncio.Event()

    async def publish(self, envelopes: Sequence[EventEnvelope]) -> None:
        await super().publish(envelopes)
        if len(self.batches) > 1:
            self.another_published.set()
            return
        async with asyncio.timeout(60):
            await self.another_published.wait()


def _relay(
    platform: Platform,
    *,
    batch_size: int = 500,
    poll_interval: float = 60,
    batch_window: float = 0.0,
    batches_in_flight: int = 1,
    engine: AsyncEngine | None = None,
    publisher: RabbitMqPublisher | None = None,
) -> OutboxRelay:
    """A relay that, polling only every minute, must be woken up to be prompt."""
    return OutboxRelay(
        engine or platform.engine,
        publisher or _CountingBatches(platform),
        batch_size=batch_size,
        poll_interval=poll_interval,
        batch_window=batch_window,
        batches_in_flight=batches_in_flight,
    )


async def _record(platform: Platform, count: int) -> list[str]:
    envelopes = [
        EventEnvelope(
            event_id=str(uuid.uuid4()),
            name="inventory.stock_item.added",
            occurred_on=datetime.now(UTC),
            aggregate_id=str(uuid.uuid4()),
            attributes={"id": str(uuid.uuid4()), "name": f"item {n}", "quantity": 1},
        )
        for n in range(count)
    ]
    async with platform.engine.begin() as connection:
        await outbox.append(connection, envelopes)
    return [envelope.event_id for envelope in envelopes]


async def _queued_ids(platform: Platform, subscriber: str) -> list[str]:
    """Takes every message of the subscriber's queue (nobody consumes it in these tests)."""
    topology = Topology.from_settings(platform.settings)
    connection = await aio_pika.connect(platform.settings.rabbitmq_url or "")
    ids: list[str] = []
    async with connection:
        channel = await connection.channel()
        queue = await channel.get_queue(topology.queue(subscriber))
        while message := await queue.get(no_ack=True, fail=False):
            ids.append(message.message_id or "")
    return ids


async def test_the_relay_publishes_in_order_of_recording_and_marks_what_was_confirmed(
    production: Platform,
) -> None:
    recorded = await _record(production, 1200)
    relay = _relay(production, batch_size=500)

    assert [await relay.relay_batch() for _ in range(4)] == [500, 500, 200, 0]
    assert await unpublished(production) == 0
    assert await _queued_ids(production, CATALOG) == recorded


async def test_a_row_that_is_not_an_envelope_does_not_hold_back_the_events_behind_it(
    production: Platform,
) -> None:
    async with production.engine.begin() as connection:
        await connection.execute(
            tables.outbox.insert().values(
                event_id=str(uuid.uuid4()),
                name="inventory.stock_item.added",
                aggregate_id="x",
                occurred_on=datetime.now(UTC),
                envelope='{"not": "an envelope"}',
            )
        )
    recorded = await _record(production, 3)
    relay = _relay(production)

    assert await relay.relay_batch() == 4
    assert await unpublished(production) == 0
    assert await _queued_ids(production, CATALOG) == recorded


async def test_the_relay_commits_without_waiting_for_the_disk_only_in_its_own_transaction(
    production: Platform,
) -> None:
    """Its mark may be lost in a crash (the batch is published again); the next user of
    the pooled connection, a reservation say, must still wait for the disk."""
    await _record(production, 3)
    engine = create_engine(production.settings.database_url, pool_size=1)
    try:
        assert await _relay(production, engine=engine).relay_batch() == 3
        async with engine.connect() as connection:  # the relay's, the pool's only one
            setting = await connection.scalar(text("SELECT current_setting('synchronous_commit')"))
    finally:
        await engine.dispose()

    assert await unpublished(production) == 0
    assert setting == "on"


async def test_relays_running_side_by_side_publish_every_event_once(
    production: Platform, background: Background
) -> None:
    recorded = await _record(production, 1000)
    for _ in range(3):
        background.start(_relay(production, batch_size=50, poll_interval=0.1).run)

    await eventually(lambda: _none_left(production), what="every event published")

    queued = await _queued_ids(production, CATALOG)
    assert sorted(queued) == sorted(recorded)


async def test_while_the_broker_confirms_a_batch_the_next_one_is_claimed_and_sent(
    production: Platform, background: Background
) -> None:
    publisher = _HoldingTheFirstBatch(production)
    background.start(_relay(production, batches_in_flight=2, publisher=publisher).run)
    recorded = await _record(production, 1)
    await eventually(lambda: _published(publisher, [1]), what="the first batch confirmed")

    recorded += await _record(production, 2)  # while the first batch is not marked yet
    await eventually(lambda: _none_left(production), what="both batches marked")

    assert publisher.batches == [1, 2]
    assert await _queued_ids(production, CATALOG) == recorded


async def test_batches_in_flight_publish_every_event_once_in_order_of_recording(
    production: Platform, background: Background
) -> None:
    background.start(_relay(production, batch_size=50, batches_in_flight=4).run)
    recorded = []
    for _ in range(12):  # commits arriving while batches are on their way
        recorded += await _record(production, 100)

    await eventually(lambda: _none_left(production), what="every event published")

    assert await _queued_ids(production, CATALOG) == recorded


async def test_a_commit_wakes_the_relay_in_another_process_through_notify(
    production: Platform, background: Background
) -> None:
    relay = _relay(production)  # not told about this process's commits: only NOTIFY wakes it
    background.start(relay.run)
    await eventually(lambda: _listening(production), what="the relay to LISTEN")
    await asyncio.sleep(0.5)  # the relay found nothing to do, listens and sleeps

    await production.commands.handle(an_add_stock_item())

    # Far less than the relay's poll interval (a minute): a notification woke it.
    await eventually(lambda: _none_left(production), within=30, what="a prompt publication")


async def test_commits_close_together_go_out_in_one_batch_a_lone_one_at_once(
    production: Platform, background: Background
) -> None:
    # Wide enough for a busy machine: "at once" is within half of it, "close together" a
    # tenth of it apart (a lone commit held back by the polls would wait nearly all of it).
    window = 8.0
    publisher = _CountingBatches(production)
    # Looking and finding nothing (here every 0.3 s) is no batch: it holds nothing back.
    relay = _relay(production, batch_window=window, poll_interval=window / 10, publisher=publisher)
    background.start(relay.run)
    await asyncio.sleep(window / 2)  # a quiet spell: found nothing to do, polls and sleeps

    await _record(production, 1)
    await eventually(lambda: _none_left(production), within=window / 2, what="a prompt one")
    for _ in range(2):  # each commit notifies, one after the other
        await _record(production, 1)
        await asyncio.sleep(window / 10)
    await eventually(lambda: _none_left(production), what="both published")

    assert publisher.batches == [1, 2]


async def _listening(platform: Platform) -> bool:
    """A session of this test's database listens for the outbox's notifications."""
    async with platform.engine.connect() as connection:
        listeners = await connection.scalar(
            text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                " AND query LIKE 'LISTEN %outbox%'"
            )
        )
    return bool(listeners)


async def _none_left(platform: Platform) -> bool:
    return await unpublished(platform) == 0


async def _published(publisher: _CountingBatches, batches: list[int]) -> bool:
    return publisher.batches == batches
