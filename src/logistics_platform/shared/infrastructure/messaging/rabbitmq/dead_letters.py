"""Dead letters of the production mode: the ``<queue>.dead_letter`` queues on RabbitMQ."""

import contextlib
import json
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime
from typing import Any

from aio_pika.abc import AbstractChannel, AbstractIncomingMessage, AbstractQueue, HeadersType

from logistics_platform.shared.application.dead_letters import DeadLetter, DeadLetters, Republished
from logistics_platform.shared.application.subscriber import Subscriber
from logistics_platform.shared.infrastructure.messaging.rabbitmq.publisher import (
    carried_headers,
    connect,
    copy_of,
)
from logistics_platform.shared.infrastructure.messaging.rabbitmq.topology import (
    ATTEMPTS_HEADER,
    FAILED_AT_HEADER,
    REASON_HEADER,
    Topology,
)

_MOST = 10_000  # messages looked at per queue in one call


class RabbitMqDeadLetters(DeadLetters):
    def __init__(
        self, url: str, topology: Topology, subscribers: Sequence[Subscriber[Any]]
    ) -> None:
        self._url = url
        self._topology = topology
        self._subscribers = list(subscribers)

    async def peek(self, subscriber: str | None = None) -> list[DeadLetter]:
        """Reads every dead letter without settling it: closing the channel puts them back."""
        letters: list[DeadLetter] = []
        async with self._channel() as channel:
            for name in self._names(subscriber):
                queue = await self._dead_letter_queue(channel, name)
                async for message in _fetch(queue):
                    letters.append(_letter(name, message))
        return sorted(
            letters, key=lambda letter: letter.failed_at or datetime.min.replace(tzinfo=UTC)
        )

    async def republish(
        self, subscriber: str | None = None, event_id: str | None = None
    ) -> Republished:
        """Sends matching dead letters back to their subscriber's queue with their attempts
        reset; each leaves the dead letters only after the broker confirmed its copy."""
        republished = 0
        async with self._channel() as channel:
            for name in self._names(subscriber):
                queue = await self._dead_letter_queue(channel, name)
                async for message in _fetch(queue):
                    if event_id is not None and _event_id(message) != event_id:
                        continue  # left unsettled: back in the dead letters on close
                    await channel.default_exchange.publish(
                        copy_of(message, _republished(message.headers)),
                        routing_key=self._topology.queue(name),
                        mandatory=False,
                    )
                    await message.ack()
                    republished += 1
        return Republished(republished)

    def _names(self, subscriber: str | None) -> list[str]:
        return [s.name for s in self._subscribers if subscriber in (None, s.name)]

    async def _dead_letter_queue(self, channel: AbstractChannel, name: str) -> AbstractQueue:
        return await channel.get_queue(self._topology.dead_letter_queue(name), ensure=True)

    @contextlib.asynccontextmanager
    async def _channel(self) -> AsyncIterator[AbstractChannel]:
        connection = await connect(self._url, name="dead-letters")
        try:
            channel = await connection.channel(publisher_confirms=True)
            await self._topology.declare(channel, self._subscribers)
            yield channel
        finally:
            await connection.close()


async def _fetch(queue: AbstractQueue) -> AsyncIterator[AbstractIncomingMessage]:
    for _ in range(_MOST):
        message = await queue.get(no_ack=False, fail=False, timeout=10)
        if message is None:
            return
        yield message


def _event_id(message: AbstractIncomingMessage) -> str | None:
    if message.message_id:
        return message.message_id
    try:
        return str(json.loads(message.body)["data"]["id"])
    except (ValueError, KeyError, TypeError):
        return None


def _letter(subscriber: str, message: AbstractIncomingMessage) -> DeadLetter:
    headers = message.headers
    reason = headers.get(REASON_HEADER) or headers.get("x-first-death-reason") or "unknown"
    attempts = headers.get(ATTEMPTS_HEADER)
    return DeadLetter(
        subscriber=subscriber,
        event_id=_event_id(message) or "?",
        event_name=message.type or "?",
        attempts=attempts if isinstance(attempts, int) else 0,
        reason=str(reason),
        failed_at=_failed_at(headers),
    )


def _failed_at(headers: HeadersType) -> datetime | None:
    value = headers.get(FAILED_AT_HEADER)
    if isinstance(value, str):
        with contextlib.suppress(ValueError):
            return datetime.fromisoformat(value)
    deaths = headers.get("x-death")
    if isinstance(deaths, list) and deaths and isinstance(deaths[0], dict):
        moment = deaths[0].get("time")
        if isinstance(moment, datetime):
            return moment
    return None


def _republished(headers: HeadersType) -> dict[str, Any]:
    return {**carried_headers(headers), "x-republished-at": datetime.now(UTC).isoformat()}
