"""RabbitMQ connections, event messages and the publisher the outbox relay uses."""

import asyncio
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import aio_pika
import structlog
from aio_pika.abc import (
    AbstractExchange,
    AbstractIncomingMessage,
    AbstractRobustConnection,
    HeadersType,
)
from aiormq.exceptions import AMQPError

from logistics_platform.shared.application.envelope import EventEnvelope
from logistics_platform.shared.application.event_publisher import EventPublisher
from logistics_platform.shared.application.retry import growing_pauses
from logistics_platform.shared.application.subscriber import Subscriber
from logistics_platform.shared.infrastructure import tracing
from logistics_platform.shared.infrastructure.messaging.rabbitmq.topology import (
    RETRY_DELAY_HEADER,
    Declared,
    Topology,
)

log = structlog.get_logger(__name__)


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
    pauses = growing_pauses(most=max_pause)
    while True:
        try:
            return await connect(url, name=name)
        except (OSError, AMQPError, TimeoutError) as error:
            pause = next(pauses)
            log.warning("broker unreachable, trying again", error=str(error), retry_in=pause)
            await asyncio.sleep(pause)


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


def copy_of(message: AbstractIncomingMessage, headers: HeadersType) -> aio_pika.Message:
    """A persistent copy of a received message, with ``headers`` instead of its own."""
    return event_message(
        message.body,
        headers=headers,
        message_id=message.message_id,
        correlation_id=message.correlation_id,
        event_name=message.type,
        timestamp=message.timestamp,
    )


def carried_headers(headers: HeadersType) -> dict[str, Any]:
    """Headers worth keeping on a copy: not the attempt bookkeeping nor the broker's
    dead-lettering history, which would otherwise grow with every retry."""
    return {
        key: value
        for key, value in headers.items()
        if not key.startswith("x-") and key != RETRY_DELAY_HEADER
    }


def envelope_message(
    envelope: EventEnvelope, trace_headers: Mapping[str, str] | None = None
) -> aio_pika.Message:
    headers: HeadersType | None = {**trace_headers} if trace_headers else None
    return event_message(
        envelope.to_json().encode(),
        headers=headers,
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
        self._declared: Declared | None = None
        self._bound: dict[str, frozenset[str]] = {}  # routed subscribers' bindings, by name
        self._handing_over = asyncio.Lock()  # one connection; messages in order of calls

    async def publish(self, envelopes: Sequence[EventEnvelope]) -> None:
        """Send the events back to back on one channel, in order, and wait for the broker
        to confirm them (as a stream). Calls that overlap send in the order they came: each
        message is sent by a task of its own, tasks start in the order they were created,
        and each takes the channel's first-come-first-served lock as it starts."""
        async with self._handing_over:
            declared = await self._ready()
            await self._route(declared)
            exchange = declared.events
            confirmations = [
                asyncio.ensure_future(self._send(exchange, envelope)) for envelope in envelopes
            ]
        results = await asyncio.gather(*confirmations, return_exceptions=True)
        for result in results:
            if isinstance(result, BaseException):
                raise result

    async def _send(self, exchange: AbstractExchange, envelope: EventEnvelope) -> None:
        # The span (when tracing) lasts until the broker confirmed; its context goes with
        # the message as W3C headers (traceparent, tracestate) for the consumers.
        with tracing.sending(envelope) as headers:
            await exchange.publish(
                envelope_message(envelope, headers),
                routing_key=envelope.name,
                mandatory=False,
                timeout=self._confirm_timeout,
            )

    async def close(self) -> None:
        if self._connection is not None:
            await close_within(self._connection, 5.0)
        self._connection = self._declared = None
        self._bound = {}

    async def _ready(self) -> Declared:
        if self._declared is None:
            connection = await connect(self._url, name="outbox-relay")
            try:
                channel = await connection.channel(publisher_confirms=True)
                declared = await self._topology.declare(channel, self._subscribers)
            except BaseException:
                await connection.close()
                raise
            self._connection, self._declared = connection, declared
        return self._declared

    async def _route(self, declared: Declared) -> None:
        """Bind the queues of routed subscribers to the events they follow now, before the
        batch goes out. The first time, what the broker holds is unknown (an earlier
        relay bound it): every event of theirs is bound or unbound."""
        for subscriber in self._subscribers:
            if subscriber.routed is None:
                continue
            wanted = await subscriber.routed()
            bound = self._bound.get(subscriber.name)
            if wanted == bound:
                continue
            queue = declared.queues[subscriber.name]
            unwanted = subscriber.events - wanted
            for name in sorted(wanted if bound is None else wanted - bound):
                await queue.bind(declared.events, routing_key=name)
            for name in sorted(unwanted if bound is None else bound - wanted):
                await queue.unbind(declared.events, routing_key=name)
            self._bound[subscriber.name] = wanted
            log.info("queue bindings follow the subscriber", queue=queue.name, events=len(wanted))
