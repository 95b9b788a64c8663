"""A RabbitMQ namespace of its own for each test, and a proxy to cut the broker off."""

import asyncio
import contextlib
import os
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import aio_pika
from yarl import URL

from logistics_platform.bootstrap import bootstrap
from logistics_platform.config import Settings
from logistics_platform.shared.application.subscriber import Subscriber
from logistics_platform.shared.infrastructure.messaging.rabbitmq.topology import Topology
from tests.services import RABBITMQ_URL, unavailable

# "prefix" shares the broker's vhost (unique names instead of a vhost per test).
ISOLATION = "LOGISTICS_TEST_RABBITMQ_ISOLATION"


@dataclass(frozen=True)
class Broker:
    """Where a test's events travel: a fresh vhost (or, without rabbitmqctl, a fresh prefix)."""

    url: str
    exchange: str = "domain_events"
    queue_prefix: str = ""

    def via(self, port: int) -> str:
        """This broker's URL through a proxy listening on ``port``."""
        return str(URL(self.url).with_port(port))


async def messages_in(channel: aio_pika.abc.AbstractChannel, queue: str) -> int:
    """How many messages ``queue`` holds, those delivered but not yet acknowledged included
    (the broker counts them with the ready ones once their consumer is gone)."""
    declared = await channel.declare_queue(queue, passive=True)
    return declared.declaration_result.message_count or 0


def _rabbitmqctl(*args: str) -> None:
    subprocess.run(["rabbitmqctl", "-q", *args], check=True, capture_output=True, timeout=120)


async def _reachable(url: str) -> None:
    try:
        connection = await aio_pika.connect(url, timeout=30)
    except (OSError, aio_pika.exceptions.AMQPError, TimeoutError) as error:
        unavailable(f"RabbitMQ is not reachable at {RABBITMQ_URL}: {error!r}")
        return
    await connection.close()


@contextlib.asynccontextmanager
async def fresh_broker(topology: Callable[[Broker], Topology]) -> AsyncIterator[Broker]:
    """A vhost of its own (``rabbitmqctl``), else names of its own on the shared vhost;
    everything is deleted afterwards. ``topology`` tells which names a test's settings use."""
    await _reachable(RABBITMQ_URL)
    name = f"logistics_test_{uuid.uuid4().hex[:12]}"
    if shutil.which("rabbitmqctl") is None or os.environ.get(ISOLATION) == "prefix":
        broker = Broker(RABBITMQ_URL, exchange=f"{name}.domain_events", queue_prefix=f"{name}.")
        try:
            yield broker
        finally:
            await _delete(topology(broker))
        return
    user = URL(RABBITMQ_URL).user or "guest"
    await asyncio.to_thread(_rabbitmqctl, "add_vhost", name)
    try:
        await asyncio.to_thread(_rabbitmqctl, "set_permissions", "-p", name, user, ".*", ".*", ".*")
        yield Broker(str(URL(RABBITMQ_URL).with_path(f"/{name}")))
    finally:
        await asyncio.to_thread(_rabbitmqctl, "delete_vhost", name)


async def _delete(topology: Topology) -> None:
    names = [subscriber.name for subscriber in await _subscribers()]
    queues = [
        *(topology.queue(name) for name in names),
        *(topology.dead_letter_queue(name) for name in names),
        *(topology.retry_queue(delay) for delay in topology.retry_delays_ms),
    ]
    connection = await aio_pika.connect(RABBITMQ_URL)
    async with connection:
        channel = await connection.channel()
        for queue in queues:
            await channel.queue_delete(queue, if_unused=False, if_empty=False)
        for exchange in (topology.exchange, topology.retry_exchange):
            await channel.exchange_delete(exchange)


async def _subscribers() -> list[Subscriber[Any]]:
    with tempfile.TemporaryDirectory() as directory:
        url = f"sqlite+aiosqlite:///{directory}/names.db"
        platform = await bootstrap(Settings(database_url=url, rabbitmq_url=None), migrate=False)
        await platform.close()
    return platform.subscribers
