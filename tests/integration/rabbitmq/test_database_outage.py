"""The platform rides out its database going away: connections dropped (as a restart
drops them) cost no command and no event; a consumer that cannot reach the database holds
its events until it can, rather than using up their attempts and dead-lettering them."""

import asyncio

import asyncpg
import pytest

from logistics_platform.bootstrap import Platform, bootstrap
from tests.integration.rabbitmq.checks import all_registered, assert_applied_once, unpublished
from tests.integration.rabbitmq.conftest import Background, eventually
from tests.mothers.inventory import a_reservation_of, an_add_stock_item
from tests.services import TcpProxy

pytestmark = [pytest.mark.postgres, pytest.mark.rabbitmq]


async def test_the_pipeline_goes_on_after_the_database_dropped_every_connection(
    production: Platform, background: Background, postgres_url: str
) -> None:
    background.start(production.relay().run)
    background.start(production.consumer(production.subscribers, name="all").run)
    add = an_add_stock_item(quantity=1000)
    await production.commands.handle(add)
    before = [a_reservation_of(add.id) for _ in range(5)]
    for reservation in before:
        await production.commands.handle(reservation)
    await eventually(
        lambda: all_registered(production, [r.reservation_id for r in before]), what="before"
    )

    admin = await asyncpg.connect(postgres_url)
    try:  # the relay's listener, and every pooled connection of the workers and commands
        await admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
    finally:
        await admin.close()
    after = [a_reservation_of(add.id) for _ in range(5)]
    for reservation in after:  # at once: a pooled connection found dropped is replaced
        await production.commands.handle(reservation)

    ids = [r.reservation_id for r in [*before, *after]]
    await eventually(lambda: all_registered(production, ids), within=60, what="every view")
    assert await unpublished(production) == 0
    await assert_applied_once(production, ids)


async def test_a_consumer_cut_off_from_the_database_holds_its_events_until_it_is_back(
    production: Platform, background: Background
) -> None:
    proxy, through_proxy = await TcpProxy.in_front_of(production.settings.database_url)
    consuming = await bootstrap(
        production.settings.model_copy(update={"database_url": through_proxy}), migrate=False
    )
    try:
        background.start(production.relay().run)
        background.start(consuming.consumer(consuming.subscribers, name="all").run)
        add = an_add_stock_item(quantity=1000)
        await production.commands.handle(add)
        first = a_reservation_of(add.id)
        await production.commands.handle(first)
        await eventually(lambda: all_registered(production, [first.reservation_id]), what="flow")

        await proxy.cut()  # the consumer's database is gone; the rest goes on
        during = [a_reservation_of(add.id) for _ in range(5)]
        for reservation in during:
            await production.commands.handle(reservation)
        # Handed to the consumer; then far longer than every attempt with its retry delay
        # takes (about 0.15 s here).
        await eventually(lambda: _none_unpublished(production), what="the events published")
        await asyncio.sleep(2)
        assert await production.dead_letters().peek() == []

        await proxy.restore()
        ids = [first.reservation_id, *(r.reservation_id for r in during)]
        await eventually(lambda: all_registered(production, ids), within=60, what="every view")
        await assert_applied_once(production, ids)
        assert await production.dead_letters().peek() == []
    finally:
        await background.stop()
        await consuming.close()
        await proxy.cut()


async def _none_unpublished(platform: Platform) -> bool:
    return await unpublished(platform) == 0
