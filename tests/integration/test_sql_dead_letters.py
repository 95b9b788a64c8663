"""Dead letters of the embedded mode: listed, and replayed to their subscriber after a fix."""

import dataclasses
from typing import Any

from sqlalchemy import func, select

from logistics_platform.bootstrap import Platform
from logistics_platform.logistics.infrastructure.tables import packages
from logistics_platform.shared.application.envelope import EventEnvelope
from logistics_platform.shared.infrastructure.messaging.in_process import InProcessDelivery
from logistics_platform.shared.infrastructure.persistence.dead_letters import SqlDeadLetters
from tests.mothers.inventory import a_reservation_of, an_add_stock_item

CREATE_PACKAGE = "logistics.create_package_on_stock_item_reserved"


async def _failing(envelope: EventEnvelope, uow: Any) -> None:
    raise RuntimeError("carrier API unreachable")


async def _packages(platform: Platform) -> int:
    async with platform.engine.connect() as connection:
        return int(await connection.scalar(select(func.count()).select_from(packages)) or 0)


async def test_a_dead_letter_is_listed_and_applied_once_when_republished(
    platform: Platform,
) -> None:
    [create_package] = [s for s in platform.subscribers if s.name == CREATE_PACKAGE]
    broken = dataclasses.replace(create_package, handler=_failing)
    add = an_add_stock_item()
    await platform.commands.handle(add)
    await platform.commands.handle(a_reservation_of(add.id))
    await InProcessDelivery(
        platform.engine, [broken], max_attempts=2, first_retry_delay=0.01
    ).catch_up()
    dead_letters = SqlDeadLetters(platform.engine, platform.subscribers)

    [letter] = await dead_letters.peek(CREATE_PACKAGE)
    assert (letter.event_name, letter.attempts) == ("inventory.stock_item.reserved", 2)
    assert "carrier API unreachable" in letter.reason
    assert await dead_letters.peek("backoffice.no_such_subscriber") == []

    first = await dead_letters.republish(CREATE_PACKAGE, letter.event_id)
    again = await dead_letters.republish()

    assert (first.republished, first.failed) == (1, 0)
    assert (again.republished, again.failed) == (0, 0)
    assert await dead_letters.peek() == []
    assert await _packages(platform) == 1


async def test_a_dead_letter_that_fails_again_is_kept(platform: Platform) -> None:
    [create_package] = [s for s in platform.subscribers if s.name == CREATE_PACKAGE]
    broken = dataclasses.replace(create_package, handler=_failing)
    add = an_add_stock_item()
    await platform.commands.handle(add)
    await platform.commands.handle(a_reservation_of(add.id))
    await InProcessDelivery(
        platform.engine, [broken], max_attempts=1, first_retry_delay=0.01
    ).catch_up()

    outcome = await SqlDeadLetters(platform.engine, [broken]).republish()

    assert (outcome.republished, outcome.failed) == (0, 1)
    assert len(await SqlDeadLetters(platform.engine, [broken]).peek()) == 1
