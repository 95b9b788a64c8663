"""The event transport roles a process can take on — outbox relay, consumers — and the dead
letters, composed on top of :func:`~logistics_platform.bootstrap.bootstrap`'s platform."""

from collections.abc import Callable, Coroutine
from typing import Any

from logistics_platform.bootstrap import Platform
from logistics_platform.config import Settings
from logistics_platform.shared.application.dead_letters import DeadLetters
from logistics_platform.shared.application.subscriber import Subscriber
from logistics_platform.shared.infrastructure.messaging.rabbitmq.consumer import RabbitMqConsumer
from logistics_platform.shared.infrastructure.messaging.rabbitmq.dead_letters import (
    RabbitMqDeadLetters,
)
from logistics_platform.shared.infrastructure.messaging.rabbitmq.publisher import RabbitMqPublisher
from logistics_platform.shared.infrastructure.messaging.rabbitmq.topology import Topology
from logistics_platform.shared.infrastructure.messaging.relay import OutboxRelay
from logistics_platform.shared.infrastructure.persistence.dead_letters import SqlDeadLetters

Worker = Callable[[], Coroutine[Any, Any, None]]


class MissingBroker(ValueError):
    pass


def broker_url(settings: Settings) -> str:
    if settings.rabbitmq_url is None:
        raise MissingBroker("set RABBITMQ_URL (amqp://…): this role works with RabbitMQ only")
    return settings.rabbitmq_url


def outbox_relay(platform: Platform) -> OutboxRelay:
    """A relay woken by this process's commits too (``serve``), not only by NOTIFY."""
    settings = platform.settings
    publisher = RabbitMqPublisher(
        broker_url(settings), Topology.from_settings(settings), platform.subscribers
    )
    relay = OutboxRelay(
        platform.engine,
        publisher,
        batch_size=settings.relay_batch_size,
        poll_interval=settings.relay_poll_interval,
        batch_window=settings.event_batch_window,
        batches_in_flight=settings.relay_batches_in_flight,
    )
    platform.committed.listeners.append(relay.notify)
    return relay


def subscribers_of(platform: Platform, context: str) -> list[Subscriber[Any]]:
    """The subscribers a context's consumer runs: those named ``<context>.…``."""
    return [s for s in platform.subscribers if s.name.startswith(f"{context}.")]


def consumer(
    platform: Platform, subscribers: list[Subscriber[Any]], *, name: str
) -> RabbitMqConsumer:
    settings = platform.settings
    return RabbitMqConsumer(
        broker_url(settings),
        Topology.from_settings(settings),
        subscribers,
        prefetch=settings.consumer_prefetch,
        batch_window=settings.event_batch_window,
        name=name,
    )


def transport(platform: Platform) -> list[Worker]:
    """Everything that moves events in production mode, for a single process (``serve``)."""
    return [
        outbox_relay(platform).run,
        consumer(platform, platform.subscribers, name="all-consumers").run,
    ]


def dead_letters(platform: Platform) -> DeadLetters:
    """RabbitMQ's dead-letter queues in production mode, the table in the embedded mode."""
    settings = platform.settings
    if settings.rabbitmq_url is None:
        return SqlDeadLetters(platform.engine, platform.subscribers)
    return RabbitMqDeadLetters(
        settings.rabbitmq_url, Topology.from_settings(settings), platform.subscribers
    )
