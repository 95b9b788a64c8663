"""Consuming subscriber queues: ack once the handler's transaction committed; on failure
send the event to wait in a retry queue, and after the last attempt to the dead letters."""

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

import structlog
from aio_pika.abc import (
    AbstractChannel,
    AbstractExchange,
    AbstractIncomingMessage,
    AbstractQueue,
    AbstractRobustConnection,
    HeadersType,
)
from aiormq.exceptions import AMQPError, ChannelInvalidStateError, ChannelNotFoundEntity

from logistics_platform.shared.application.envelope import EventEnvelope
from logistics_platform.shared.application.grouped_delivery import GroupedDelivery
from logistics_platform.shared.application.retry import growing_pauses
from logistics_platform.shared.application.subscriber import Subscriber
from logistics_platform.shared.domain.errors import InvalidArgument
from logistics_platform.shared.infrastructure import metrics, tracing
from logistics_platform.shared.infrastructure.messaging.rabbitmq.acks import Acknowledgements
from logistics_platform.shared.infrastructure.messaging.rabbitmq.publisher import (
    carried_headers,
    close_within,
    connect_patiently,
    copy_of,
)
from logistics_platform.shared.infrastructure.messaging.rabbitmq.topology import (
    ATTEMPTS_HEADER,
    FAILED_AT_HEADER,
    REASON_HEADER,
    RETRY_DELAY_HEADER,
    SUBSCRIBER_HEADER,
    Declared,
    Topology,
)
from logistics_platform.shared.infrastructure.persistence.availability import unavailable

log = structlog.get_logger(__name__)

_MAX_REASON_LENGTH = 1000
_SETTLING_ERRORS = (AMQPError, ChannelInvalidStateError, OSError, TimeoutError)
_BROKER_GRACE = 5.0


class _Stopping(Exception):
    """The consumer stops while a message waits for the database: it is left unsettled."""


@dataclass(frozen=True, slots=True)
class _Failure:
    reason: str
    final: bool  # no point in trying again (the message cannot even be read)
    event: str = "unreadable"  # its name, for the metrics


@dataclass(slots=True)
class _Lane:
    """One subscriber's queue, consumed on a channel of its own; the messages handled
    concurrently (up to the prefetch) share transactions."""

    subscriber: Subscriber[Any]
    delivery: GroupedDelivery
    channel: AbstractChannel
    queue: AbstractQueue
    retry: AbstractExchange
    consumer_tag: str = ""
    former: list[tuple[AbstractQueue, str]] = field(default_factory=list)  # with consumer tags


class RabbitMqConsumer:
    def __init__(
        self,
        url: str,
        topology: Topology,
        subscribers: Sequence[Subscriber[Any]],
        *,
        prefetch: int = 200,
        batch_window: float = 0.0,
        name: str = "consumer",
        stop_grace: float = 15.0,
    ) -> None:
        self._url = url
        self._topology = topology
        self._subscribers = list(subscribers)
        self._prefetch = prefetch
        self._batch_window = batch_window
        self._name = name
        self._stop_grace = stop_grace
        self._in_flight: set[asyncio.Task[Any]] = set()
        self._acks = Acknowledgements()  # a batch's messages are acknowledged together
        self._stopping = asyncio.Event()
        self.started = asyncio.Event()

    async def run(self) -> None:
        """Consume until cancelled; then stop taking messages, let the handlers that
        started finish (their acks included) and close."""
        connection, lanes = await self._start()
        try:
            log.info("consuming", queues=[lane.queue.name for lane in lanes])
            self.started.set()
            await asyncio.Future()
        finally:
            await asyncio.shield(self._stop(connection, lanes))

    async def _start(self) -> tuple[AbstractRobustConnection, list[_Lane]]:
        """Connect and open a lane per subscriber. If the broker goes away before every
        lane is open, close and start over: what the open lanes took unacknowledged goes
        back to their queues (handling is idempotent)."""
        pauses = growing_pauses(most=_BROKER_GRACE)
        while True:
            connection = await connect_patiently(self._url, name=self._name)
            lanes: list[_Lane] = []
            try:
                for subscriber in self._subscribers:
                    lanes.append(await self._open(connection, subscriber))
                return connection, lanes
            except _SETTLING_ERRORS as error:
                pause = next(pauses)
                log.warning("broker lost while starting, starting again", error=repr(error))
                await close_within(connection, _BROKER_GRACE)
                await asyncio.sleep(pause)
            except BaseException:  # cancelled while starting: stop as if started
                await asyncio.shield(self._stop(connection, lanes))
                raise

    async def _open(
        self, connection: AbstractRobustConnection, subscriber: Subscriber[Any]
    ) -> _Lane:
        channel = await connection.channel(publisher_confirms=True)
        await channel.set_qos(prefetch_count=self._prefetch)
        declared = await self._topology.declare(channel, [subscriber])
        window = self._batch_window if subscriber.batch_window is None else subscriber.batch_window
        lane = _Lane(
            subscriber,
            GroupedDelivery(subscriber, max_batch=self._prefetch, window=window),
            channel,
            declared.queues[subscriber.name],
            declared.retry,
        )

        async def on_message(message: AbstractIncomingMessage) -> None:
            await self._on_message(lane, message)

        lane.consumer_tag = await lane.queue.consume(on_message)
        for former in subscriber.formerly:
            queue = self._topology.queue(former)
            if found := await self._work_off(
                connection, queue, subscriber.events, declared, on_message
            ):
                lane.former.append(found)
        return lane

    async def _work_off(
        self,
        connection: AbstractRobustConnection,
        name: str,
        events: frozenset[str],
        declared: Declared,
        on_message: Callable[[AbstractIncomingMessage], Awaitable[None]],
    ) -> tuple[AbstractQueue, str] | None:
        """Consume what a queue the subscriber had under an earlier name still holds, if
        it exists, on a channel of its own (deleting the queue closes only that one).
        Unbound, it takes no new events; it is left for an operator to delete once empty,
        since retries sent to it before the rename come back to it."""
        channel = await connection.channel()
        try:
            queue = await channel.declare_queue(name, passive=True)
        except ChannelNotFoundEntity:  # never was, or deleted already
            # The broker closed the channel; closed by us too, or it is reopened for good.
            await channel.close()
            return None
        await channel.set_qos(prefetch_count=self._prefetch)
        for event_name in sorted(events):
            await queue.unbind(declared.events, routing_key=event_name)
        log.warning("working off a queue of a former name", queue=name)
        return queue, await queue.consume(on_message)

    async def _stop(self, connection: AbstractRobustConnection, lanes: list[_Lane]) -> None:
        self._stopping.set()
        # Bounded, and skipped while disconnected: a robust channel would wait for the
        # broker to come back, maybe forever.
        with contextlib.suppress(TimeoutError, *_SETTLING_ERRORS):
            async with asyncio.timeout(_BROKER_GRACE):
                for lane in lanes if connection.connected.is_set() else []:
                    for queue, tag in [(lane.queue, lane.consumer_tag), *lane.former]:
                        await queue.cancel(tag)
        if self._in_flight:
            log.info("waiting for handlers in flight", count=len(self._in_flight))
            await asyncio.wait(self._in_flight, timeout=self._stop_grace)
        await close_within(connection, _BROKER_GRACE)
        log.info("consumer stopped")

    async def _on_message(self, lane: _Lane, message: AbstractIncomingMessage) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._in_flight.add(task)
        try:
            failure = await self._handle(lane, message)
            if failure is not None:
                await self._redirect(lane, message, failure)
            await self._acks.ack(message)
        except _Stopping:
            # Unsettled, it goes back to the queue when the channel closes.
            log.info("message left for later: the database is still unavailable")
        except _SETTLING_ERRORS as error:
            # Unsettled, the message comes back: harmless, handling is idempotent.
            log.warning("message left unsettled", queue=lane.queue.name, error=repr(error))
        except Exception:
            # A bug of ours: give the message back; the queue's delivery limit ends a loop.
            log.exception("message handed back", queue=lane.queue.name)
            with contextlib.suppress(*_SETTLING_ERRORS):
                await message.nack(requeue=True)
                self._acks.settled_otherwise(message)
        finally:
            if task is not None:
                self._in_flight.discard(task)

    async def _handle(self, lane: _Lane, message: AbstractIncomingMessage) -> _Failure | None:
        try:
            envelope = EventEnvelope.from_json(message.body)
        except InvalidArgument as error:
            return _Failure(str(error), final=True)
        if isinstance(traceparent := message.headers.get("traceparent"), str):
            tracestate = message.headers.get("tracestate")
            carrier = {"traceparent": traceparent}
            if isinstance(tracestate, str):
                carrier["tracestate"] = tracestate
            envelope = replace(envelope, trace_context=carrier)
        with structlog.contextvars.bound_contextvars(correlation_id=envelope.correlation_id):
            return await self._handle_envelope(lane, message, envelope)

    async def _handle_envelope(
        self, lane: _Lane, message: AbstractIncomingMessage, envelope: EventEnvelope
    ) -> _Failure | None:
        started = time.perf_counter()
        try:
            with tracing.handling(lane.subscriber.name, [envelope]):
                await self._deliver_patiently(lane, envelope)
        except _Stopping:
            raise
        except Exception as error:
            log.warning(
                "subscriber failed",
                subscriber=lane.subscriber.name,
                event_id=envelope.event_id,
                event_name=envelope.name,
                attempt=_attempts(message.headers) + 1,
                error=repr(error),
            )
            return _Failure(repr(error), final=False, event=envelope.name)
        metrics.handled(lane.subscriber.name, [envelope], time.perf_counter() - started)
        return None

    async def _deliver_patiently(self, lane: _Lane, envelope: EventEnvelope) -> None:
        """Deliver; while the database cannot be reached, hold the message and try again
        with growing pauses. An outage is not the event's fault: it must not use up the
        event's attempts and send it to the dead letters."""
        for pause in growing_pauses():
            try:
                await lane.delivery.deliver(envelope)
                return
            except Exception as error:
                if not unavailable(error):
                    raise
                log.warning(
                    "database unavailable, holding the event",
                    subscriber=lane.subscriber.name,
                    event_id=envelope.event_id,
                    retry_in=pause,
                    error=repr(error),
                )
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(pause):
                    await self._stopping.wait()
            if self._stopping.is_set():
                raise _Stopping

    async def _redirect(
        self, lane: _Lane, message: AbstractIncomingMessage, failure: _Failure
    ) -> None:
        """Publish the event to wait for its next attempt, or to the dead letters; the
        caller acks the original only after the broker confirmed this copy."""
        failures = _attempts(message.headers) + 1
        delay = None if failure.final else self._topology.retry_delay(failures)
        headers: dict[str, Any] = {
            **carried_headers(message.headers),
            ATTEMPTS_HEADER: failures,
            REASON_HEADER: failure.reason[:_MAX_REASON_LENGTH],
            FAILED_AT_HEADER: datetime.now(UTC).isoformat(),
            SUBSCRIBER_HEADER: lane.subscriber.name,
        }
        name = lane.subscriber.name
        if delay is None:
            log.error(
                "event dead-lettered", subscriber=name, attempts=failures, reason=failure.reason
            )
            await lane.channel.default_exchange.publish(
                copy_of(message, headers),
                routing_key=self._topology.dead_letter_queue(name),
                mandatory=False,
            )
            metrics.EVENTS_DEAD_LETTERED.labels(event=failure.event, subscriber=name).inc()
            return
        headers[RETRY_DELAY_HEADER] = str(delay)
        await lane.retry.publish(
            copy_of(message, headers), routing_key=self._topology.queue(name), mandatory=False
        )
        metrics.EVENTS_RETRIED.labels(event=failure.event, subscriber=name).inc()


def _attempts(headers: HeadersType) -> int:
    value = headers.get(ATTEMPTS_HEADER)
    return value if isinstance(value, int) and value >= 0 else 0
