"""Exactly one package per reservation, however the event arrives."""

import asyncio

from sqlalchemy import func, select

from logistics_platform.bootstrap import Platform
from logistics_platform.logistics.infrastructure.tables import packages
from logistics_platform.shared.infrastructure.persistence import outbox
from tests.integration.registration import registering
from tests.mothers.logistics import reserved


async def package_count(platform: Platform) -> int:
    async with platform.engine.connect() as connection:
        return int(await connection.scalar(select(func.count()).select_from(packages)) or 0)


async def test_the_same_event_delivered_concurrently_registers_one_package(
    platform: Platform,
) -> None:
    event = reserved("order-1")
    await asyncio.gather(*(registering(platform).deliver(event) for _ in range(8)))
    assert await package_count(platform) == 1


async def test_two_events_for_one_reservation_register_one_package(platform: Platform) -> None:
    await asyncio.gather(*(registering(platform).deliver(reserved("order-1")) for _ in range(8)))
    assert await package_count(platform) == 1


async def test_each_reservation_gets_its_own_tracking_number(platform: Platform) -> None:
    await asyncio.gather(
        *(registering(platform).deliver(reserved(f"order-{n}")) for n in range(30))
    )
    async with platform.engine.connect() as connection:
        numbers = (await connection.scalars(select(packages.c.tracking_number))).all()
    assert len(numbers) == len(set(numbers)) == 30


async def test_a_batch_registers_each_package_once_caused_by_its_own_event(
    platform: Platform,
) -> None:
    events = [reserved(f"order-{n}") for n in range(5)]

    await registering(platform).deliver_all([*events, events[0]])
    await registering(platform).deliver_all(events[2:])  # redelivered: nothing new

    async with platform.engine.connect() as connection:
        recorded = await outbox.read(connection, names=frozenset({"logistics.package.registered"}))
    causes = [event.envelope.causation_id for event in recorded]
    assert sorted(causes) == sorted(event.event_id for event in events)
    assert {event.envelope.correlation_id for event in recorded} == {
        event.correlation_id for event in events
    }
    assert await package_count(platform) == 5


async def test_a_batch_registers_no_second_package_for_a_reservation(platform: Platform) -> None:
    await registering(platform).deliver(reserved("order-0"))

    await registering(platform).deliver_all(
        [reserved("order-0"), reserved("order-1"), reserved("order-1")]
    )

    assert await package_count(platform) == 2


async def test_concurrent_batches_for_the_same_reservations_register_each_once(
    platform: Platform,
) -> None:
    await asyncio.gather(
        *(
            registering(platform).deliver_all([reserved(f"order-{n}") for n in range(10)])
            for _ in range(4)
        )
    )
    assert await package_count(platform) == 10
