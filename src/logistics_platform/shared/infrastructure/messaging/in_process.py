"""Embedded transport: subscribers in this process follow the outbox log directly.

Each subscriber keeps its own checkpoint (the last log position it dealt with), so a
failing subscriber retries with growing pauses — and finally dead-letters the event —
without holding back the others. Writers on SQLite are serialized, so positions commit
in order and a checkpoint never skips an event. See docs/adr/0002-event-delivery.md.
"""

import asyncio
import contextlib
import functools
import time
from collections.abc import Awaitable, Callable, Iterator, Sequence
from typing import Any

import structlog
from sqlalchemy import bindparam, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.sql.dml import Insert

from logistics_platform.shared.application.envelope import EventEnvelope
from logistics_platform.shared.application.retry import growing_pauses
from logistics_platform.shared.application.subscriber import Subscriber
from logistics_platform.shared.application.unit_of_work import UnitOfWork
from logistics_platform.shared.infrastructure import metrics, tracing
from logistics_platform.shared.infrastructure.messaging import backlog
from logistics_platform.shared.infrastructure.persistence import outbox
from logistics_platform.shared.infrastructure.persistence.availability import unavailable
from logistics_platform.shared.infrastructure.persistence.database import reader
from logistics_platform.shared.infrastructure.persistence.tables import checkpoints, dead_letters
from logistics_platform.shared.infrastructure.persistence.unit_of_work import SqlUnitOfWork

log = structlog.get_logger(__name__)

_EVENTS_PER_TRANSACTION = 100


class InProcessDelivery:
    def __init__(
        self,
        engine: AsyncEngine,
        subscribers: Sequence[Subscriber[Any]],
        *,
        max_attempts: int = 5,
        first_retry_delay: float = 0.1,
        poll_interval: float = 1.0,
    ) -> None:
        self._engine = engine
        self._reader = reader(engine)
        self._subscribers = list(subscribers)
        self._max_attempts = max_attempts
        self._first_retry_delay = first_retry_delay
        self._poll_interval = poll_interval
        self._wake_ups = {subscriber.name: asyncio.Event() for subscriber in subscribers}

    def notify(self, names: frozenset[str] | None = None) -> None:
        """Events named ``names`` (by default, any) were committed: wake the subscribers
        that follow one of them now rather than at the next poll."""
        for subscriber in self._subscribers:
            if names is None or subscriber.events & names:
                self._wake_ups[subscriber.name].set()

    async def run(self) -> None:
        """Follow the log until cancelled."""
        follows = {subscriber.name: subscriber.events for subscriber in self._subscribers}
        async with asyncio.TaskGroup() as group:
            for subscriber in self._subscribers:
                group.create_task(self._follow(subscriber), name=subscriber.name)
            group.create_task(
                backlog.sample_forever(backlog.subscriber_sampler(self._engine, follows))
            )

    async def catch_up(self) -> int:
        """Deliver until nothing is left, including events recorded while delivering;
        returns how many deliveries were made (tests, one-off runs)."""
        delivered = total = 0
        while True:
            for subscriber in self._subscribers:
                position = await self._checkpoint(subscriber.name)
                while batch := await self._read(subscriber, position):
                    position = await self._deliver_batch(subscriber, batch)
                    delivered += len(batch)
            if not delivered:
                return total
            total, delivered = total + delivered, 0

    async def _follow(self, subscriber: Subscriber[Any]) -> None:
        wake_up = self._wake_ups[subscriber.name]
        position: int | None = None
        pauses: Iterator[float] | None = None  # while the database is away
        while True:
            wake_up.clear()
            try:
                if position is None:
                    position = await self._checkpoint(subscriber.name)
                batch = await self._read(subscriber, position)
                if batch:
                    position = await self._deliver_batch(subscriber, batch)
            except Exception as error:
                if not unavailable(error):
                    raise
                # The database went away (a restart, say): from the same position, later.
                pauses = pauses or growing_pauses()
                pause = next(pauses)
                log.warning(
                    "database unavailable, delivery paused",
                    subscriber=subscriber.name,
                    retry_in=pause,
                    error=repr(error),
                )
                await asyncio.sleep(pause)
                continue
            pauses = None
            # A full batch may have left events behind. A shorter one was all there was
            # when it was read: what committed since in this process has set ``wake_up``
            # (what another process commits, the poll finds), so no read to find nothing.
            if len(batch) == outbox.READ_LIMIT:
                continue
            if batch and subscriber.batch_window:  # what commits meanwhile shares the next
                await asyncio.sleep(subscriber.batch_window)
            # Not wait_for: on 3.11 it can swallow a cancellation that coincides with a wake-up.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self._poll_interval):
                    await wake_up.wait()

    async def _read(self, subscriber: Subscriber[Any], position: int) -> list[outbox.RecordedEvent]:
        async with self._reader.connect() as connection:
            return await outbox.read(connection, after=position, names=subscriber.events)

    async def _deliver_batch(
        self, subscriber: Subscriber[Any], batch: list[outbox.RecordedEvent]
    ) -> int:
        # The checkpoint moves in the transaction of the events it passes when that is a
        # transaction on this database; else in one of its own, once per batch: after a
        # crash the batch is delivered again and the processed-event records turn the
        # repeats into no-ops.
        advanced = False
        for start in range(0, len(batch), _EVENTS_PER_TRANSACTION):
            chunk = batch[start : start + _EVENTS_PER_TRANSACTION]
            envelopes = [recorded.envelope for recorded in chunk]
            started = time.perf_counter()
            try:
                with tracing.handling(subscriber.name, envelopes):
                    advanced = await subscriber.deliver_all(
                        envelopes,
                        before_commit=self._advancing(subscriber.name, chunk[-1].position),
                    )
                metrics.handled(subscriber.name, envelopes, time.perf_counter() - started)
            except Exception:  # one of them fails: each is retried alone, see _deliver
                advanced = False
                for recorded in chunk:
                    await self._deliver(subscriber, recorded.envelope)
        if not advanced:
            await self._advance(subscriber.name, batch[-1].position)
        return batch[-1].position

    def _advancing(self, subscriber: str, position: int) -> Callable[[UnitOfWork], Awaitable[bool]]:
        """Moves the checkpoint in a unit of work's transaction, if it is one on this
        database (not, say, the Elasticsearch read store's); says whether it did."""

        async def advance(uow: UnitOfWork) -> bool:
            if not isinstance(uow, SqlUnitOfWork) or uow.connection.engine.url != self._engine.url:
                return False
            await _upsert_checkpoint(uow.connection, subscriber, position)
            return True

        return advance

    async def _deliver(self, subscriber: Subscriber[Any], envelope: EventEnvelope) -> None:
        with structlog.contextvars.bound_contextvars(correlation_id=envelope.correlation_id):
            await self._deliver_with_retries(subscriber, envelope)

    async def _deliver_with_retries(
        self, subscriber: Subscriber[Any], envelope: EventEnvelope
    ) -> None:
        delay = self._first_retry_delay
        for attempt in range(1, self._max_attempts + 1):
            started = time.perf_counter()
            try:
                with tracing.handling(subscriber.name, [envelope]):
                    await subscriber.deliver(envelope)
                metrics.handled(subscriber.name, [envelope], time.perf_counter() - started)
                return
            except Exception as error:
                if unavailable(error):  # not the event's fault: not an attempt
                    raise
                log.warning(
                    "subscriber failed",
                    subscriber=subscriber.name,
                    event_id=envelope.event_id,
                    event_name=envelope.name,
                    attempt=attempt,
                    error=repr(error),
                )
                if attempt == self._max_attempts:
                    await self._dead_letter(subscriber.name, envelope, repr(error), attempt)
                    metrics.count(
                        metrics.EVENTS_DEAD_LETTERED, [envelope], subscriber=subscriber.name
                    )
                    return
                metrics.count(metrics.EVENTS_RETRIED, [envelope], subscriber=subscriber.name)
                await asyncio.sleep(delay)
                delay *= 2

    async def _checkpoint(self, subscriber: str) -> int:
        async with self._reader.connect() as connection:
            position = await connection.scalar(
                select(checkpoints.c.position).where(checkpoints.c.subscriber == subscriber)
            )
        return int(position or 0)

    async def _advance(self, subscriber: str, position: int) -> None:
        async with self._engine.begin() as connection:
            await _upsert_checkpoint(connection, subscriber, position)

    async def _dead_letter(
        self, subscriber: str, envelope: EventEnvelope, error: str, attempts: int
    ) -> None:
        log.error("event dead-lettered", subscriber=subscriber, event_id=envelope.event_id)
        async with self._engine.begin() as connection:
            await connection.execute(
                delete(dead_letters).where(
                    dead_letters.c.subscriber == subscriber,
                    dead_letters.c.event_id == envelope.event_id,
                )
            )
            await connection.execute(
                dead_letters.insert().values(
                    subscriber=subscriber,
                    event_id=envelope.event_id,
                    event_name=envelope.name,
                    envelope=envelope.to_json(),
                    error=error[:4000],
                    attempts=attempts,
                )
            )


async def _upsert_checkpoint(connection: AsyncConnection, subscriber: str, position: int) -> None:
    statement = _upserting_checkpoint(connection.dialect.name)
    await connection.execute(statement, {"subscriber": subscriber, "position": position})


@functools.cache
def _upserting_checkpoint(dialect_name: str) -> Insert:
    # Built once per dialect: every delivered batch moves a checkpoint.
    insert = postgresql.insert if dialect_name == "postgresql" else sqlite.insert
    statement = insert(checkpoints).values(
        subscriber=bindparam("subscriber"), position=bindparam("position")
    )
    return statement.on_conflict_do_update(
        index_elements=[checkpoints.c.subscriber],
        set_={"position": statement.excluded.position},
    )
