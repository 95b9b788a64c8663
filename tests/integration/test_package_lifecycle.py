"""Lifecycle commands on the stored package: a version check per step, on both databases."""

import asyncio

import pytest
from sqlalchemy import select

from logistics_platform.bootstrap import Platform, bootstrap
from logistics_platform.config import Settings
from logistics_platform.logistics.application.commands import (
    CancelPackage,
    DeliverPackage,
    DispatchPackage,
    FailDelivery,
    RecordCheckpoint,
)
from logistics_platform.logistics.domain.package import IllegalTransition, PackageNotFound
from logistics_platform.logistics.infrastructure.queries import PackageFilter
from logistics_platform.logistics.infrastructure.tables import packages
from logistics_platform.shared.application.subscriber import Subscriber
from logistics_platform.shared.domain.errors import DomainError
from logistics_platform.shared.infrastructure.persistence import outbox
from tests.integration.registration import registering
from tests.mothers.logistics import reservation_ended, reserved


async def registered(platform: Platform, reservation_id: str = "order-1") -> str:
    await registering(platform).deliver(reserved(reservation_id))
    async with platform.engine.connect() as connection:
        found = await connection.scalar(
            select(packages.c.id).where(packages.c.reservation_id == reservation_id)
        )
    assert isinstance(found, str)
    return found


async def event_names(platform: Platform) -> list[str]:
    async with platform.engine.connect() as connection:
        return [event.envelope.name for event in await outbox.read(connection)]


async def test_each_step_is_stored_with_its_history_and_event(platform: Platform) -> None:
    id = await registered(platform)

    await platform.package_commands.handle(DispatchPackage(id, "DHL", "Warehouse MAIN"))
    await platform.package_commands.handle(RecordCheckpoint(id, "Hub Leipzig", "sorted"))
    await platform.package_commands.handle(DeliverPackage(id, "A. Customer"))

    package = await platform.packages.find(id)
    assert package is not None
    assert (package.status, package.version, package.attempts) == ("delivered", 4, 1)
    assert (package.carrier, package.last_location) == ("DHL", "Hub Leipzig")
    assert [(e.status, e.location, e.note) for e in package.history] == [
        ("registered", None, None),
        ("in_transit", "Warehouse MAIN", "attempt 1 with DHL"),
        ("in_transit", "Hub Leipzig", "sorted"),
        ("delivered", None, "signed by A. Customer"),
    ]
    assert package.created_at < package.updated_at
    assert (await event_names(platform))[-3:] == [
        "logistics.package.dispatched",
        "logistics.package.checkpoint_recorded",
        "logistics.package.delivered",
    ]


async def test_an_illegal_step_is_refused_naming_the_status_and_stores_nothing(
    platform: Platform,
) -> None:
    id = await registered(platform)
    await platform.package_commands.handle(CancelPackage(id, None))

    with pytest.raises(IllegalTransition, match="'cancelled'"):
        await platform.package_commands.handle(DispatchPackage(id, "DHL", "MAIN"))

    package = await platform.packages.find(id)
    assert package is not None
    assert (package.status, package.version, len(package.history)) == ("cancelled", 2, 2)


async def test_an_unknown_package_is_not_found(platform: Platform) -> None:
    with pytest.raises(PackageNotFound):
        await platform.package_commands.handle(
            CancelPackage("7d2f1c2e-9a43-4f59-9b7e-3f1a2b3c4d5e", None)
        )


async def test_of_12_concurrent_deliveries_and_failures_exactly_one_wins(
    platform: Platform,
) -> None:
    id = await registered(platform)
    await platform.package_commands.handle(DispatchPackage(id, "DHL", "MAIN"))
    steps = [
        DeliverPackage(id, f"signer {n}") if n % 2 else FailDelivery(id, f"reason {n}")
        for n in range(12)
    ]

    outcomes = await asyncio.gather(
        *(platform.package_commands.handle(step) for step in steps), return_exceptions=True
    )

    won = [
        (step, outcome)
        for step, outcome in zip(steps, outcomes, strict=True)
        if not isinstance(outcome, BaseException)
    ]
    refused = [outcome for outcome in outcomes if isinstance(outcome, BaseException)]
    assert len(won) == 1
    assert all(isinstance(outcome, IllegalTransition) for outcome in refused), refused
    package = await platform.packages.find(id)
    assert package is not None
    (winner, answer), *_ = won
    final = "delivered" if isinstance(winner, DeliverPackage) else "delivery_failed"
    assert package.status == final
    assert answer == package  # the winner was answered what was stored
    assert all(f"'{final}'" in str(outcome) for outcome in refused)
    assert (package.version, len(package.history)) == (3, 3)
    names = await event_names(platform)
    assert (
        names.count("logistics.package.delivered")
        + names.count("logistics.package.delivery_failed")
        == 1
    )


async def test_concurrent_steps_through_separate_buses_still_let_one_win(
    platform: Platform, database_url: str
) -> None:
    """Two processes, say: each bus its own transactions, no batching between them."""
    other = await bootstrap(Settings(database_url=database_url), migrate=False, read_store=False)
    try:
        id = await registered(platform)
        await platform.package_commands.handle(DispatchPackage(id, "DHL", "MAIN"))
        buses = [platform.package_commands, other.package_commands] * 6
        outcomes = await asyncio.gather(
            *(bus.handle(DeliverPackage(id, f"signer {n}")) for n, bus in enumerate(buses)),
            return_exceptions=True,
        )
    finally:
        await other.close()
    won = [outcome for outcome in outcomes if not isinstance(outcome, DomainError)]
    assert [(answer.status, answer.version) for answer in won] == [("delivered", 3)]


def subscriber(platform: Platform, name: str) -> Subscriber[object]:
    return next(s for s in platform.subscribers if s.name == name)


CANCELLING = "logistics.cancel_package_on_reservation_ended"


async def test_a_release_cancels_the_stored_package_once(platform: Platform) -> None:
    id = await registered(platform)
    released = reservation_ended("order-1")

    await asyncio.gather(*(subscriber(platform, CANCELLING).deliver(released) for _ in range(4)))

    package = await platform.packages.find(id)
    assert package is not None
    assert (package.status, package.version) == ("cancelled", 2)
    assert (await event_names(platform)).count("logistics.package.cancelled") == 1


async def test_a_release_before_the_reservation_leaves_one_cancelled_package(
    platform: Platform,
) -> None:
    await subscriber(platform, CANCELLING).deliver(reservation_ended("order-9"))
    await registering(platform).deliver(reserved("order-9"))

    found = await platform.packages.page(PackageFilter(reservation_id="order-9"), page=1, size=5)
    (package,) = found.items
    assert (package.status, package.version) == ("cancelled", 2)


async def test_a_release_after_dispatch_is_refused_visibly_once(platform: Platform) -> None:
    id = await registered(platform)
    await platform.package_commands.handle(DispatchPackage(id, "DHL", "MAIN"))

    await subscriber(platform, CANCELLING).deliver(reservation_ended("order-1"))
    await subscriber(platform, CANCELLING).deliver(reservation_ended("order-1", expired=True))

    package = await platform.packages.find(id)
    assert package is not None
    assert (package.status, package.version) == ("in_transit", 3)
    assert package.cancellation_refused is not None
    assert "released" in package.cancellation_refused
    names = await event_names(platform)
    assert names.count("logistics.package.cancellation_refused") == 1
