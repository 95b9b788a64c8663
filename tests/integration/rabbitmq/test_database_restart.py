"""The platform survives its database connections being dropped (as a PostgreSQL restart
drops them): commands succeed at once, and the relay and the consumers carry on, so that
events recorded after it still arrive, each once."""

import asyncpg
import pytest

from logistics_platform.bootstrap import Platform
from logistics_platform.entrypoints import workers
from tests.integration.rabbitmq.checks import all_registered, assert_applied_once, unpublished
from tests.integration.rabbitmq.conftest import Background, eventually
from tests.mothers.inventory import a_reservation_of, an_add_stock_item

pytestmark = [pytest.mark.postgres, pytest.mark.rabbitmq]


async def test_the_pipeline_goes_on_after_the_database_dropped_every_connection(
    production: Platform, background: Background, postgres_url: str
) -> None:
    background.start(workers.outbox_relay(production).run)
    background.start(workers.consumer(production, production.subscribers, name="all").run)
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
