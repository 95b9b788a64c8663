"""Embedded delivery: the outbox followed by each subscriber, on real databases."""

import asyncio

from sqlalchemy import select

from logistics_platform.bootstrap import Platform, bootstrap
from logistics_platform.config import Settings
from logistics_platform.logistics.infrastructure.unit_of_work import SqlLogisticsUnitOfWork
from logistics_platform.shared.application.envelope import EventEnvelope
from logistics_platform.shared.infrastructure.messaging.in_process import (
    InProcessDelivery,
    dead_letters,
)
from logistics_platform.shared.infrastructure.persistence import outbox
from logistics_platform.shared.infrastructure.persistence.tables import processed_events
from tests.integration.delivery import (
    BATCH_WINDOW,
    RESERVED,
    Batches,
    reserve,
    subscriber,
)
from tests.integration.rabbitmq.checks import all_registered
from tests.integration.rabbitmq.conftest import eventually
from tests.mothers.inventory import a_reservation_of, an_add_stock_item
from tests.services import TcpProxy


async def test_a_failing_subscriber_does_not_hold_back_the_others(platform: Platform) -> None:
    seen: list[str] = []
    all_seen = asyncio.Event()

    async def healthy(event: EventEnvelope, uow: SqlLogisticsUnitOfWork) -> None:
        seen.append(event.attributes["reservationId"])
        if len(seen) == 3:
            all_seen.set()

    async def broken(event: EventEnvelope, uow: SqlLogisticsUnitOfWork) -> None:
        raise RuntimeError("downstream is down")

    delivery = InProcessDelivery(
        platform.engine,
        [
            subscriber(platform, "test.broken", broken),
            subscriber(platform, "test.healthy", healthy),
        ],
        max_attempts=1000,
        first_retry_delay=0.05,
        poll_interval=0.05,
    )
    reservations = await reserve(platform, 3)
    running = asyncio.create_task(delivery.run())
    try:

        async def all_three_seen() -> bool:
            return all_seen.is_set()

        await eventually(all_three_seen, what="the healthy subscriber to see all three")
    finally:
        running.cancel()
        await asyncio.gather(running, return_exceptions=True)
    assert seen == reservations


async def test_an_event_that_keeps_failing_is_dead_lettered_after_n_attempts(
    platform: Platform,
) -> None:
    attempts: list[str] = []

    async def flaky(event: EventEnvelope, uow: SqlLogisticsUnitOfWork) -> None:
        attempts.append(event.attributes["reservationId"])
        if event.attributes["reservationId"] == poisoned:
            raise ValueError("cannot handle this one")

    reservations = await reserve(platform, 3)
    poisoned = reservations[1]
    delivery = InProcessDelivery(
        platform.engine,
        [subscriber(platform, "test.flaky", flaky)],
        max_attempts=3,
        first_retry_delay=0,
    )
    await delivery.catch_up()
    # Its batch failed with it; then each event went alone and only the poisoned one failed.
    assert attempts.count(poisoned) == 1 + 3
    async with platform.engine.connect() as connection:
        rows = (await connection.execute(select(dead_letters))).all()
        handled = await connection.scalars(
            select(processed_events.c.event_id).where(processed_events.c.subscriber == "test.flaky")
        )
        assert len(set(handled)) == 2
    assert [(row.subscriber, row.attempts) for row in rows] == [("test.flaky", 3)]
    assert EventEnvelope.from_json(rows[0].envelope).attributes["reservationId"] == poisoned
    assert "cannot handle this one" in rows[0].error


async def test_an_event_delivered_twice_is_handled_once(platform: Platform) -> None:
    handled: list[str] = []

    async def counting(event: EventEnvelope, uow: SqlLogisticsUnitOfWork) -> None:
        handled.append(event.event_id)

    reservations = await reserve(platform, 3)
    counter = subscriber(platform, "test.counting", counting)
    await InProcessDelivery(platform.engine, [counter]).catch_up()
    async with platform.engine.connect() as connection:
        recorded = await outbox.read(connection, names=RESERVED)
    for event in recorded:
        await counter.deliver(event.envelope)
    assert len(handled) == len(reservations) == len(set(handled))


async def test_delivery_resumes_from_its_checkpoint_after_a_restart(platform: Platform) -> None:
    handled: list[str] = []

    async def counting(event: EventEnvelope, uow: SqlLogisticsUnitOfWork) -> None:
        handled.append(event.attributes["reservationId"])

    counter = subscriber(platform, "test.restart", counting)
    first = await reserve(platform, 3)
    await InProcessDelivery(platform.engine, [counter]).catch_up()
    added = an_add_stock_item()
    await platform.commands.handle(added)
    later = a_reservation_of(added.id)
    await platform.commands.handle(later)
    assert await InProcessDelivery(platform.engine, [counter]).catch_up() == 1
    assert handled == [*first, later.reservation_id]


async def test_delivery_waits_out_a_database_that_went_away(postgres_url: str) -> None:
    proxy, through_proxy = await TcpProxy.in_front_of(postgres_url)
    platform = await bootstrap(
        Settings(database_url=through_proxy, rabbitmq_url=None), migrate=True
    )
    assert platform.delivery is not None
    running = asyncio.create_task(platform.delivery.run())
    try:
        before = await reserve(platform, 3)
        await eventually(lambda: all_registered(platform, before), what="before")

        await proxy.cut()  # every pooled connection dropped, none accepted
        await asyncio.sleep(1.5)  # delivery fails meanwhile (each poll, each wake-up)
        assert not running.done()  # it waits rather than ends
        await proxy.restore()
        after = await reserve(platform, 3)
        ids = [*before, *after]
        await eventually(lambda: all_registered(platform, ids), what="every view")
        async with platform.engine.connect() as connection:
            assert (await connection.execute(select(dead_letters))).all() == []
    finally:
        running.cancel()
        await asyncio.gather(running, return_exceptions=True)
        await platform.close()
        await proxy.cut()


async def test_a_subscriber_with_a_batch_window_lets_events_gather_after_a_batch(
    platform: Platform,
) -> None:
    batches = Batches()
    delivery = InProcessDelivery(
        platform.engine,
        [batches.of(platform, "test.unhurried")],
        poll_interval=BATCH_WINDOW / 60,  # the platform's commits wake its own delivery
    )
    running = asyncio.create_task(delivery.run())
    try:
        await batches.one_then_two_within_the_window(platform)
    finally:
        running.cancel()
        await asyncio.gather(running, return_exceptions=True)
    assert batches.sizes == [1, 2]  # the two waited for the window, and shared one
