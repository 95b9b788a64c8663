"""The SLA watch and monitor on SQLite and PostgreSQL: watches kept from events in any
order, each breach raised once per package and kind (two monitors racing too), its event in
the outbox with its row."""

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from logistics_platform.backoffice.application.sla import SLA_WATCH, SlaMonitor
from logistics_platform.backoffice.domain.sla import BreachKind, SlaWatch, Step
from logistics_platform.backoffice.infrastructure.event_log import OutboxEventLog
from logistics_platform.backoffice.infrastructure.sql_sla import SqlSlaUnitOfWork
from logistics_platform.backoffice.infrastructure.tables import sla_breaches
from logistics_platform.bootstrap import Platform, bootstrap
from logistics_platform.config import Settings
from logistics_platform.shared.application.envelope import EventEnvelope
from logistics_platform.shared.application.subscriber import Subscriber
from logistics_platform.shared.application.unit_of_work import Causation
from tests.mothers.sla import HOUR, T0, package_event

BREACHED = frozenset({"backoffice.package_sla.breached"})
DAY = 24 * HOUR


@pytest.fixture
async def platform(database_url: str) -> AsyncIterator[Platform]:
    settings = Settings(
        database_url=database_url,
        rabbitmq_url=None,
        sla_registered_max_seconds=DAY.total_seconds(),
        sla_in_transit_max_seconds=3 * DAY.total_seconds(),
        sla_in_transit_max_seconds_by_carrier={"FAST": 12 * HOUR.total_seconds()},
    )
    built = await bootstrap(settings, migrate=True, read_store=False)
    try:
        yield built
    finally:
        await built.close()


def watch_subscriber(platform: Platform) -> Subscriber[Any]:
    return next(s for s in platform.subscribers if s.name == SLA_WATCH)


async def deliver(platform: Platform, *events: EventEnvelope) -> None:
    for event in events:
        await watch_subscriber(platform).deliver(event)


async def watch_of(platform: Platform, package_id: str) -> SlaWatch:
    async with SqlSlaUnitOfWork(platform.engine, causation=Causation()) as uow:
        return (await uow.watches.get_many([package_id]))[package_id]


async def breach_events(platform: Platform) -> list[EventEnvelope]:
    logged = await OutboxEventLog(platform.engine).read(after=0, names=BREACHED, limit=10_000)
    return [entry.envelope for entry in logged]


async def breach_rows(platform: Platform) -> int:
    async with platform.engine.connect() as connection:
        return int(await connection.scalar(select(func.count()).select_from(sla_breaches)) or 0)


def monitor(platform: Platform, batch: int = 200) -> SlaMonitor:
    return SlaMonitor(
        lambda causation: SqlSlaUnitOfWork(platform.engine, causation=causation),
        platform.sla_policy,
        interval=1,
        batch=batch,
    )


def a_package() -> str:
    return str(uuid.uuid4())


async def test_the_watch_follows_the_latest_version_whatever_the_order(platform: Platform) -> None:
    id = a_package()
    registered = package_event(Step.REGISTERED, id, 1, on=T0)
    dispatched = package_event(Step.DISPATCHED, id, 2, on=T0 + HOUR, carrier="FAST")
    checkpoint = package_event(Step.CHECKPOINT_RECORDED, id, 3, on=T0 + 2 * HOUR)
    await deliver(platform, checkpoint, dispatched, dispatched, registered, checkpoint)

    watch = await watch_of(platform, id)
    assert (watch.status, watch.since, watch.carrier) == ("in_transit", T0 + HOUR, "FAST")
    assert watch.tracking_number == registered.attributes["trackingNumber"]
    assert [fact.version for fact in watch.facts] == [1, 2, 3]


async def test_the_second_failure_raises_repeated_failures_at_once_and_only_once(
    platform: Platform,
) -> None:
    id = a_package()
    steps = [Step.REGISTERED, Step.DISPATCHED, Step.DELIVERY_FAILED, Step.DISPATCHED]
    events = [package_event(step, id, v, on=T0 + v * HOUR) for v, step in enumerate(steps, 1)]
    await deliver(platform, *events)
    assert await breach_events(platform) == []

    second_failure = package_event(Step.DELIVERY_FAILED, id, 5, on=T0 + 5 * HOUR)
    await deliver(platform, second_failure, second_failure)
    await deliver(platform, package_event(Step.DISPATCHED, id, 6, on=T0 + 6 * HOUR))

    (event,) = await breach_events(platform)
    assert event.aggregate_id == id
    assert event.attributes["kind"] == "repeated_failures"
    assert event.attributes["failures"] == 2
    assert event.causation_id == second_failure.event_id
    assert await breach_rows(platform) == 1


async def test_the_monitor_raises_a_package_stuck_registered_once(platform: Platform) -> None:
    id = a_package()
    await deliver(platform, package_event(Step.REGISTERED, id, 1, on=T0))

    assert await monitor(platform).sweep(T0 + DAY - timedelta(seconds=1)) == (0, 0)
    assert await monitor(platform).sweep(T0 + DAY) == (1, 1)
    assert await monitor(platform).sweep(T0 + 2 * DAY) == (0, 0)

    (event,) = await breach_events(platform)
    assert event.attributes["kind"] == "stuck_registered"
    assert event.attributes["thresholdSeconds"] == DAY.total_seconds()
    assert await breach_rows(platform) == 1
    await deliver(platform, package_event(Step.DISPATCHED, id, 2, on=T0 + 3 * DAY))
    assert (await watch_of(platform, id)).raised == {BreachKind.STUCK_REGISTERED}


async def test_each_carrier_is_held_to_its_own_in_transit_limit(platform: Platform) -> None:
    fast, slow = a_package(), a_package()
    for id, carrier in ((fast, "FAST"), (slow, "SLOW")):
        await deliver(
            platform,
            package_event(Step.REGISTERED, id, 1, on=T0),
            package_event(Step.DISPATCHED, id, 2, on=T0, carrier=carrier),
        )
    assert await monitor(platform).sweep(T0 + 12 * HOUR) == (1, 1)
    assert [e.aggregate_id for e in await breach_events(platform)] == [fast]
    assert await monitor(platform).sweep(T0 + 3 * DAY) == (1, 1)
    assert {e.aggregate_id for e in await breach_events(platform)} == {fast, slow}


async def test_a_delivered_or_cancelled_package_is_never_raised(platform: Platform) -> None:
    delivered, cancelled = a_package(), a_package()
    await deliver(
        platform,
        package_event(Step.REGISTERED, delivered, 1, on=T0),
        package_event(Step.DISPATCHED, delivered, 2, on=T0),
        package_event(Step.DELIVERED, delivered, 3, on=T0 + HOUR),
        package_event(Step.REGISTERED, cancelled, 1, on=T0),
        package_event(Step.CANCELLED, cancelled, 2, on=T0 + HOUR),
    )
    assert await monitor(platform).sweep(T0 + 100 * DAY) == (0, 0)
    assert await breach_events(platform) == []


async def test_two_monitors_racing_raise_one_event_per_package_and_kind(
    platform: Platform,
) -> None:
    packages = [a_package() for _ in range(40)]
    await deliver(platform, *(package_event(Step.REGISTERED, id, 1, on=T0) for id in packages))

    first, second = await asyncio.gather(
        monitor(platform, batch=40).sweep(T0 + 2 * DAY),
        monitor(platform, batch=40).sweep(T0 + 2 * DAY),
    )

    assert first[1] + second[1] == 40
    events = await breach_events(platform)
    assert sorted(e.aggregate_id for e in events) == sorted(packages)
    assert await breach_rows(platform) == 40


async def test_a_watch_raced_by_the_monitor_and_its_events_remembers_what_was_raised(
    platform: Platform,
) -> None:
    packages = [a_package() for _ in range(30)]
    await deliver(platform, *(package_event(Step.REGISTERED, id, 1, on=T0) for id in packages))
    dispatches = [package_event(Step.DISPATCHED, id, 2, on=T0 + 2 * DAY) for id in packages]

    await asyncio.gather(
        monitor(platform, batch=30).sweep(T0 + 2 * DAY),
        *(deliver(platform, dispatched) for dispatched in dispatches),
    )

    raised = {e.aggregate_id for e in await breach_events(platform)}
    assert await breach_rows(platform) == len(raised)
    for id in packages:
        watch = await watch_of(platform, id)
        assert watch.status == "in_transit"
        assert (BreachKind.STUCK_REGISTERED in watch.raised) == (id in raised), id
        assert watch.open_kind is BreachKind.STUCK_IN_TRANSIT
