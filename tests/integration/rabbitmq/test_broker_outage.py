import asyncio
from typing import Any

import pytest

from logistics_platform.bootstrap import Platform
from tests.integration.rabbitmq.checks import all_registered, assert_applied_once, unpublished
from tests.integration.rabbitmq.conftest import Background, eventually
from tests.mothers.inventory import a_reservation_of, an_add_stock_item
from tests.services import TcpProxy

pytestmark = [pytest.mark.postgres, pytest.mark.rabbitmq]


async def test_reservations_made_while_the_broker_is_unreachable_arrive_exactly_once(
    production: Platform, background: Background
) -> None:
    proxy, through_proxy = await TcpProxy.in_front_of(production.settings.rabbitmq_url or "")
    production.settings = production.settings.model_copy(update={"rabbitmq_url": through_proxy})
    background.start(production.relay().run)
    background.start(production.consumer(production.subscribers, name="all").run)
    add = an_add_stock_item(quantity=1000)
    await production.commands.handle(add)
    first = a_reservation_of(add.id, quantity=1)
    await production.commands.handle(first)
    await eventually(lambda: all_registered(production, [first.reservation_id]), what="flow")

    await proxy.cut()  # as if the broker went down: connections dropped, none accepted
    during = [a_reservation_of(add.id, quantity=1) for _ in range(20)]
    for reservation in during[:10]:
        await production.commands.handle(reservation)
    await asyncio.sleep(1.5)  # the relay fails and backs off; reservations go on
    for reservation in during[10:]:
        await production.commands.handle(reservation)
    assert await unpublished(production) == 20

    await proxy.restore()  # the relay and the consumers reconnect by themselves
    ids = [first.reservation_id, *(reservation.reservation_id for reservation in during)]
    await eventually(lambda: all_registered(production, ids), within=60, what="every view")
    await asyncio.sleep(0.5)  # room for a duplicate to show up

    assert await unpublished(production) == 0
    await assert_applied_once(production, ids)
    await background.stop()  # while connected: closing a connection that is down takes long
    await proxy.cut()


async def test_a_consumer_that_loses_the_broker_while_it_starts_starts_again(
    production: Platform, background: Background, monkeypatch: pytest.MonkeyPatch
) -> None:
    background.start(production.relay().run)
    proxy, through_proxy = await TcpProxy.in_front_of(production.settings.rabbitmq_url or "")
    production.settings = production.settings.model_copy(update={"rabbitmq_url": through_proxy})
    consumer = production.consumer(production.subscribers, name="all")
    open_lane, opened = consumer._open, 0

    async def open_then_lose_the_broker(*args: Any) -> Any:
        nonlocal opened
        lane = await open_lane(*args)
        opened += 1
        if opened == 2:  # two lanes open, the others not yet: the broker goes away
            await proxy.cut()
            asyncio.get_running_loop().call_later(1.0, asyncio.ensure_future, proxy.restore())
        return lane

    monkeypatch.setattr(consumer, "_open", open_then_lose_the_broker)
    running = background.start(consumer.run)
    await eventually(lambda: _started(consumer, running), within=60, what="a consumer started")
    assert opened > len(production.subscribers)  # it did start over

    add = an_add_stock_item(quantity=10)
    await production.commands.handle(add)
    reservation = a_reservation_of(add.id, quantity=1)
    await production.commands.handle(reservation)
    ids = [reservation.reservation_id]
    await eventually(lambda: all_registered(production, ids), within=60, what="the flow")
    await assert_applied_once(production, ids)


async def _started(consumer: Any, running: "asyncio.Task[None]") -> bool:
    if running.done():  # it gave up: show why
        running.result()
    return bool(consumer.started.is_set())
