"""Production mode under test: a fresh PostgreSQL database and a RabbitMQ vhost per test."""

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from logistics_platform.bootstrap import Platform, bootstrap
from logistics_platform.config import Settings
from logistics_platform.shared.infrastructure.messaging.rabbitmq.topology import Topology
from logistics_platform.shared.infrastructure.persistence import migrations
from tests.integration.rabbitmq.broker import Broker, fresh_broker
from tests.processes import Processes, environment
from tests.waiting import eventually  # noqa: F401 - the rabbitmq tests import it from here


def production_settings(database_url: str, broker: Broker) -> Settings:
    """Short pauses so that retries and polling fit in a test."""
    return Settings(
        database_url=database_url,
        rabbitmq_url=broker.url,
        rabbitmq_exchange=broker.exchange,
        rabbitmq_queue_prefix=broker.queue_prefix,
        retry_base_delay_ms=50,
        max_delivery_attempts=3,
        relay_poll_interval=0.5,
        # Up to seven processes per test, two tests at a time (pytest -n 2), and PostgreSQL
        # allows 100 connections.
        db_pool_size=5,
        auto_migrate=False,
        log_level="INFO",
        log_format="console",
    )


@pytest.fixture
async def broker() -> AsyncIterator[Broker]:
    def topology(broker: Broker) -> Topology:
        return Topology.from_settings(production_settings("sqlite://", broker))

    async with fresh_broker(topology) as fresh:
        yield fresh


@pytest.fixture
async def settings(postgres_url: str, broker: Broker) -> Settings:
    await migrations.upgrade_url(postgres_url)
    return production_settings(postgres_url, broker)


@pytest.fixture
async def production(settings: Settings) -> AsyncIterator[Platform]:
    """The platform in this test's process, in production mode (nothing delivers by itself)."""
    platform = await bootstrap(settings, migrate=False)
    try:
        yield platform
    finally:
        await platform.close()


@pytest.fixture
def processes(settings: Settings, tmp_path: Path) -> Iterator[Processes]:
    started = Processes(environment(settings), tmp_path)
    try:
        yield started
    finally:
        started.stop_all()
        print(started.logs())  # captured: pytest shows it when the test failed


class Background:
    """Workers run as tasks of the test; cancelled (a graceful stop) at the end."""

    def __init__(self) -> None:
        self.tasks: list[asyncio.Task[None]] = []

    def start(self, worker: Callable[[], Coroutine[Any, Any, None]]) -> asyncio.Task[None]:
        task = asyncio.create_task(worker())
        self.tasks.append(task)
        return task

    async def stop(self) -> None:
        for task in self.tasks:
            task.cancel()
        stopping = asyncio.gather(*self.tasks, return_exceptions=True)
        try:
            results = await asyncio.wait_for(stopping, 60)
        except TimeoutError:
            message = f"background workers did not stop within 60 s: {self.tasks}"
            raise AssertionError(message) from None
        self.tasks.clear()
        failures = [r for r in results if not isinstance(r, asyncio.CancelledError | type(None))]
        assert not failures, failures


@pytest.fixture
async def background() -> AsyncIterator[Background]:
    workers = Background()
    try:
        yield workers
    finally:
        await workers.stop()


async def scalar(engine: AsyncEngine, sql: str, **parameters: Any) -> Any:
    async with engine.connect() as connection:
        return await connection.scalar(text(sql), parameters)


@contextlib.contextmanager
def timed() -> Iterator[Callable[[], float]]:
    start = time.perf_counter()
    yield lambda: time.perf_counter() - start
