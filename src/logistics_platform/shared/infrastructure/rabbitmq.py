"""RabbitMQ: the topology events travel through, connections, and the publisher.

- ``<exchange>`` (topic, durable): every event, routing key = event name.
- ``<prefix><subscriber>``: one quorum queue per subscriber, bound to the names it handles.
- ``<exchange>.retry`` (headers) and one ``<exchange>.retry.<delay>ms`` queue per delay: a
  failed event waits there until its TTL expires, then is dead-lettered through the
  default exchange back to its subscriber's queue (its routing key is that queue's name).
- ``<queue>.dead_letter``: events that failed every attempt, with the reason in headers.

Every role declares the topology before using it (declaring is idempotent), so no event
is published before the queues that must keep it exist. See docs/adr/0003.
"""

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import aio_pika
import structlog
from aio_pika.abc import (
    AbstractChannel,
    AbstractExchange,
    AbstractQueue,
    AbstractRobustConnection,
    HeadersType,
)
from aiormq.exceptions import AMQPError
from pamqp.common import FieldTable

from logistics_platform.config import Settings
from logistics_platform.shared.application.envelope import EventEnvelope
from logistics_platform.shared.application.event_publisher import EventPublisher
from logistics_platform.shared.application.subscriber import Subscriber

log = structlog.get_logger(__name__)

ATTEMPTS_HEADER = "x-attempts"
REASON_HEADER = "x-failure-reason"
FAILED_AT_HEADER = "x-failed-at"
SUBSCRIBER_HEADER = "x-subscriber"
# Headers exchanges ignore headers starting with "x-" when matching, hence no prefix here.
RETRY_DELAY_HEADER = "retry-delay"
_QUORUM: FieldTable = {"x-queue-type": "quorum"}
# Dead-lettering by the broker (TTL expiry, delivery limit) survives a broker crash.
_SAFE_DEAD_LETTERING: FieldTable = {
    **_QUORUM,
    "x-dead-letter-exchange": "",
    "x-dead-letter-strategy": "at-least-once",
    "x-overflow": "reject-publish",
}


@dataclass(frozen=True, slots=True)
class Topology:
    """Names and shape of everything declared on the broker."""

    exchange: str = "domain_events"
    queue_prefix: str = ""
    retry_delays_ms: tuple[int, ...] = (1000, 2000, 4000, 8000)
    # Redeliveries without a verdict (a consumer died while handling) before the broker
    # dead-letters a message by itself: the guard against events that crash consumers.
    delivery_limit: int = 20

    @classmethod
    def from_settings(cls, settings: Settings) -> "Topology":
        first = settings.retry_base_delay_ms
        return cls(
            exchange=settings.rabbitmq_exchange,
            queue_prefix=settings.rabbitmq_queue_prefix,
            retry_delays_ms=tuple(first * 2**n for n in range(settings.max_delivery_attempts - 1)),
        )

    @property
    def max_attempts(self) -> int:
        return len(self.retry_delays_ms) + 1

    @property
    def retry_exchange(self) -> str:
        return f"{self.exchange}.retry"

    def queue(self, subscriber: str) -> str:
        return f"{self.queue_prefix}{subscriber}"

    def dead_letter_queue(self, subscriber: str) -> str:
        return f"{self.queue(subscriber)}.dead_letter"

    def retry_queue(self, delay_ms: int) -> str:
        return f"{self.retry_exchange}.{delay_ms}ms"

    def retry_delay(self, failures: int) -> int | None:
        """The pause before attempt ``failures + 1``, or None when no attempt is left."""
        return self.retry_delays_ms[failures - 1] if failures < self.max_attempts else None

    async def declare(
        self, channel: AbstractChannel, subscribers: Sequence[Subscriber[Any]]
    ) -> "Declared":
        exchange = await channel.declare_exchange(
            self.exchange, aio_pika.ExchangeType.TOPIC, durable=True
        )
        retry = await channel.declare_exchange(
            self.retry_exchange, aio_pika.ExchangeType.HEADERS, durable=True
        )
        for delay in self.retry_delays_ms:
            waiting = await channel.declare_queue(
                self.retry_queue(delay),
                durable=True,
                arguments={**_SAFE_DEAD_LETTERING, "x-message-ttl": delay},
            )
            await waiting.bind(retry, arguments={"x-match": "all", RETRY_DELAY_HEADER: str(delay)})
        queues = {}
        for subscriber in subscribers:
            queues[subscriber.name] = await self._declare_queue(channel, exchange, subscriber)
        return Declared(exchange, retry, queues)

    async def _declare_queue(
        self, channel: AbstractChannel, exchange: AbstractExchange, subscriber: Subscriber[Any]
    ) -> AbstractQueue:
        dead_letters = self.dead_letter_queue(subscriber.name)
        await channel.declare_queue(dead_letters, durable=True, arguments=_QUORUM)
        queue = await channel.declare_queue(
            self.queue(subscriber.name),
            durable=True,
            arguments={
                **_SAFE_DEAD_LETTERING,
                "x-dead-letter-routing-key": dead_letters,
                "x-delivery-limit": self.delivery_limit,
            },
        )
        for event_name in sorted(subscriber.events):
            await queue.bind(exchange, routing_key=event_name)
        return queue


@dataclass(frozen=True, slots=True)
class Declared:
    events: AbstractExchange
    retry: AbstractExchange
    queues: Mapping[str, AbstractQueue]


async def connect(url: str, *, name: str) -> AbstractRobustConnection:
    """A connection that restores its channels, queues and consumers by itself after the
    broker restarts. The first attempt fails fast when the broker is unreachable."""
    return await aio_pika.connect_robust(
        url, client_properties={"connection_name": name}, reconnect_interval=1.0
    )


async def connect_patiently(
    url: str, *, name: str, max_pause: float = 5.0
) -> AbstractRobustConnection:
    """Like :func:`connect`, trying again with growing pauses until the broker answers."""
    pause = 0.2
    while True:
        try:
            return await connect(url, name=name)
        except (OSError, AMQPError, TimeoutError) as error:
            log.warning("broker unreachable, trying again", error=str(error), retry_in=pause)
            await asyncio.sleep(pause)
            pause = min(pause * 2, max_pause)


async def close_within(connection: AbstractRobustConnection, seconds: float) -> None:
    """Close, giving up after ``seconds``: an unreachable broker cannot say goodbye."""
    try:
        async with asyncio.timeout(seconds):
            await connection.close()
    except (TimeoutError, OSError, AMQPError) as error:
        log.warning("broker connection not closed cleanly", error=repr(error))


def event_message(
    body: bytes,
    *,
    headers: HeadersType | None = None,
    message_id: str | None = None,
    correlation_id: str | None = None,
    event_name: str | None = None,
    timestamp: datetime | None = None,
) -> aio_pika.Message:
    """A persistent JSON message."""
    return aio_pika.Message(
        body,
        content_type="application/json",
        content_encoding="utf-8",
        delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
        headers=headers,
        message_id=message_id,
        correlation_id=correlation_id,
        type=event_name,
        timestamp=timestamp,
        app_id="logistics-platform",
    )


def envelope_message(envelope: EventEnvelope) -> aio_pika.Message:
    return event_message(
        envelope.to_json().encode(),
        message_id=envelope.event_id,
        correlation_id=envelope.correlation_id,
        event_name=envelope.name,
        timestamp=envelope.occurred_on,
    )


class RabbitMqPublisher(EventPublisher):
    """Publishes on a confirming channel; connects (and declares) on first use."""

    def __init__(
        self,
        url: str,
        topology: Topology,
        subscribers: Sequence[Subscriber[Any]],
        *,
        confirm_timeout: float = 15.0,
    ) -> None:
        self._url = url
        self._topology = topology
        self._subscribers = list(subscribers)
        self._confirm_timeout = confirm_timeout
        self._connection: AbstractRobustConnection | None = None
        self._exchange: AbstractExchange | None = None

    async def publish(self, envelopes: Sequence[EventEnvelope]) -> None:
        exchange = await self._ready_exchange()
        # Sent back to back on one channel, in order; the broker confirms them as a stream.
        results = await asyncio.gather(
            *(
                exchange.publish(
                    envelope_message(envelope),
                    routing_key=envelope.name,
                    mandatory=False,
                    timeout=self._confirm_timeout,
                )
                for envelope in envelopes
            ),
            return_exceptions=True,
        )
        for result in results:
            if isinstance(result, BaseException):
                raise result

    async def close(self) -> None:
        if self._connection is not None:
            await close_within(self._connection, 5.0)
        self._connection = self._exchange = None

    async def _ready_exchange(self) -> AbstractExchange:
        if self._exchange is None:
            connection = await connect(self._url, name="outbox-relay")
            try:
                channel = await connection.channel(publisher_confirms=True)
                declared = await self._topology.declare(channel, self._subscribers)
            except BaseException:
                await connection.close()
                raise
            self._connection, self._exchange = connection, declared.events
        return self._exchange
