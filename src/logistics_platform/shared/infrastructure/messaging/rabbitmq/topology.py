"""The RabbitMQ topology events travel through.

- ``<exchange>`` (topic, durable): every event, routing key = event name.
- ``<prefix><subscriber>``: one quorum queue per subscriber, bound to the names it handles
  (or, for a subscriber whose events are ``routed``, to those it follows at the moment).
- ``<exchange>.retry`` (headers) and one ``<exchange>.retry.<delay>ms`` queue per delay: a
  failed event waits there until its TTL expires, then is dead-lettered through the
  default exchange back to its subscriber's queue (its routing key is that queue's name).
- ``<queue>.dead_letter``: events that failed every attempt, with the reason in headers.

Every role declares the topology before using it (declaring is idempotent), so no event
is published before the queues that must keep it exist. See docs/adr/0003.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import aio_pika
from aio_pika.abc import AbstractChannel, AbstractExchange, AbstractQueue
from pamqp.common import FieldTable

from logistics_platform.config import Settings
from logistics_platform.shared.application.subscriber import Subscriber

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
        if subscriber.routed is None:  # else the publisher binds it (RabbitMqPublisher)
            for event_name in sorted(subscriber.events):
                await queue.bind(exchange, routing_key=event_name)
        return queue


@dataclass(frozen=True, slots=True)
class Declared:
    events: AbstractExchange
    retry: AbstractExchange
    queues: Mapping[str, AbstractQueue]
