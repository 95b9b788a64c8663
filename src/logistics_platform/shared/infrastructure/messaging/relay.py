"""The outbox relay: publishes recorded events, in order of recording, in batches.

A batch is claimed with ``FOR UPDATE SKIP LOCKED`` (PostgreSQL), so relays running side by
side never publish the same rows at once, and it is marked published in the transaction
that claimed it, only after the broker confirmed every message. A crash in between means
the batch is published again: delivery is at least once, subscribers are idempotent.
Commits that follow one another within ``batch_window`` go out in one batch (ADR 0003).

Up to ``batches_in_flight`` batches are on their way at once: while the broker confirms
one, the next is claimed and sent. They are claimed in turn and sent in the order claimed,
so the broker receives the events in order of recording; only a batch that fails (and is
published again later) can arrive after the one claimed behind it.
"""

import asyncio
import contextlib
import math
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from datetime import UTC, datetime
from functools import partial
from typing import Any

import asyncpg
import structlog
from sqlalchemy import Select, bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from logistics_platform.shared.application.envelope import EventEnvelope
from logistics_platform.shared.application.event_publisher import EventPublisher
from logistics_platform.shared.application.retry import growing_pauses
from logistics_platform.shared.domain.errors import InvalidArgument
from logistics_platform.shared.infrastructure import metrics
from logistics_platform.shared.infrastructure.messaging import backlog
from logistics_platform.shared.infrastructure.persistence import outbox as outbox_log
from logistics_platform.shared.infrastructure.persistence.database import is_sqlite
from logistics_platform.shared.infrastructure.persistence.tables import outbox
from logistics_platform.shared.infrastructure.persistence.unit_of_work import SqlUnitOfWork

log = structlog.get_logger(__name__)

NOTIFY_CHANNEL = "outbox"

_MARK_PUBLISHED = (
    update(outbox)
    .where(outbox.c.position.in_(bindparam("positions", expanding=True)))
    .values(published_at=bindparam("published_at"))
)
# The same two statements for the driver: every batch pays for them.
_CLAIM_WITH_THE_DRIVER = """
    SELECT position, envelope, trace_context FROM outbox WHERE published_at IS NULL
    ORDER BY position LIMIT $1 FOR UPDATE SKIP LOCKED
"""
# The relay's commit need not wait for the disk (``synchronous_commit`` off, for this
# transaction only): lost in a crash, the mark would only have the batch published again,
# which subscribers take in their stride. It stays out of a disk stall's way, and fsyncs
# are left to the transactions that must have them.
_MARK_WITH_THE_DRIVER = """
    UPDATE outbox SET published_at = $2
    FROM (SELECT set_config('synchronous_commit', 'off', true)) AS without_waiting_for_the_disk
    WHERE position = ANY($1::bigint[])
"""


def _readable(rows: Iterable[tuple[int, str, str | None]]) -> list[EventEnvelope]:
    """The rows' envelopes. A row that is not one (written by hand, or corrupted) could
    never be handled by anyone, and must not hold back the log behind it: it is logged
    and marked with the batch, but not published; it stays in the outbox to be looked at."""
    envelopes = []
    for position, envelope, trace_context in rows:
        try:
            envelopes.append(outbox_log.traced(envelope, trace_context))
        except InvalidArgument as error:
            log.error(
                "outbox row is not an event envelope: skipped", position=position, error=str(error)
            )
    return envelopes


class OutboxRelay:
    def __init__(
        self,
        engine: AsyncEngine,
        publisher: EventPublisher,
        *,
        batch_size: int = 500,
        poll_interval: float = 1.0,
        batch_window: float = 0.0,
        batches_in_flight: int = 1,
        max_backoff: float = 5.0,
    ) -> None:
        self._engine = engine
        self._publisher = publisher
        self._batch_size = batch_size
        self._poll_interval = poll_interval
        self._batch_window = batch_window
        # SQLite has one writer: a second batch would wait for the first one's commit.
        self._batches_in_flight = 1 if is_sqlite(engine) else batches_in_flight
        self._max_backoff = max_backoff
        self._wake_up = asyncio.Event()
        self._turn = asyncio.Lock()  # to wait for events and claim the next batch
        self._claim_at_once = True  # more may be waiting: just started, a full batch, a failure
        self._claim_batch: Select[tuple[int, str, str | None]] = (
            select(outbox.c.position, outbox.c.envelope, outbox.c.trace_context)
            .where(outbox.c.published_at.is_(None))
            .order_by(outbox.c.position)
            .limit(batch_size)
            .with_for_update(skip_locked=True)
        )

    def notify(self) -> None:
        """Events were committed: relay them now rather than at the next poll."""
        self._wake_up.set()

    async def run(self) -> None:
        """Relay until cancelled; a broker or database outage only delays publication."""
        async with self._listening():
            log.info(
                "relay started",
                batch_size=self._batch_size,
                batches_in_flight=self._batches_in_flight,
            )
            try:
                async with asyncio.TaskGroup() as batches:
                    for _ in range(self._batches_in_flight):
                        batches.create_task(self._relay_forever())
                    batches.create_task(
                        backlog.sample_forever(partial(backlog.sample_outbox, self._engine))
                    )
            finally:
                await self._publisher.close()

    async def relay_batch(self) -> int:
        """Publish the oldest unpublished events not claimed by another relay; returns how
        many were published."""
        return await self._relay_batch(claimed=lambda _count: None)

    async def _relay_batch(self, claimed: Callable[[int], None]) -> int:
        # A unit of work for its transaction, which runs on the driver on PostgreSQL.
        async with SqlUnitOfWork(self._engine) as transaction:
            rows = await self._claim(transaction)
            claimed(len(rows))
            if not rows:
                return 0
            envelopes = _readable(rows)
            await self._publisher.publish(envelopes)
            await self._mark_published(transaction, [position for position, *_ in rows])
            await transaction.commit()
        metrics.count(metrics.EVENTS_PUBLISHED, envelopes)
        return len(rows)

    async def _claim(self, transaction: SqlUnitOfWork) -> list[tuple[int, str, str | None]]:
        if transaction.driver is not None:
            found = await transaction.driver.fetch(_CLAIM_WITH_THE_DRIVER, self._batch_size)
            return [(row["position"], row["envelope"], row["trace_context"]) for row in found]
        rows = await transaction.connection.execute(self._claim_batch)
        return [(row.position, row.envelope, row.trace_context) for row in rows]

    async def _mark_published(self, transaction: SqlUnitOfWork, positions: list[int]) -> None:
        now = datetime.now(UTC)  # after the broker's confirms
        if transaction.driver is not None:
            await transaction.driver.execute(_MARK_WITH_THE_DRIVER, positions, now)
            return
        await transaction.connection.execute(
            _MARK_PUBLISHED, {"positions": positions, "published_at": now}
        )

    async def _relay_forever(self) -> None:
        """One of the batches in flight, again and again: in its turn it waits for events
        and claims them, then leaves the turn to the next while the broker confirms."""
        pauses: Iterator[float] | None = None  # while failing
        relayed_at = -math.inf
        while True:
            try:
                relayed = await self._relay_in_turn(since=relayed_at)
            except Exception as error:  # broker or database down: keep the events, retry
                self._claim_at_once = True
                pauses = pauses or growing_pauses(most=self._max_backoff)
                pause = next(pauses)
                log.warning("relay failed, trying again", error=repr(error), retry_in=pause)
                await asyncio.sleep(pause)
                continue
            if pauses:
                log.info("relay recovered")
                pauses = None
            if relayed:  # a claim that found nothing is no batch: the window counts from batches
                log.debug("events relayed", count=relayed)
                relayed_at = asyncio.get_running_loop().time()

    async def _relay_in_turn(self, since: float) -> int:
        turn = self._turn
        await turn.acquire()
        in_turn = True

        def end_of_turn(claimed: int) -> None:
            # Before this batch is sent: the next claimer must claim before it sends its
            # own, and the publisher hands batches to the broker in the order it gets them.
            nonlocal in_turn
            in_turn = False
            self._claim_at_once = claimed == self._batch_size  # there may be more behind it
            turn.release()

        try:
            if not self._claim_at_once:
                await self._wait_for_events(since)
            self._wake_up.clear()
            return await self._relay_batch(claimed=end_of_turn)
        finally:
            if in_turn:
                turn.release()

    async def _wait_for_events(self, since: float) -> None:
        """Until a commit notifies (or the poll interval passes), and no sooner than
        ``batch_window`` after this slot's previous batch ended: commits that follow one another
        closely go out together, and a commit after a quiet spell is relayed at once, however
        often the relay looked and found nothing meanwhile.

        The log was worked off up to what was committed when the previous batch was
        claimed; a commit since then has notified (and set the wake-up again)."""
        # Not wait_for: on 3.11 it can swallow a cancellation that coincides with a wake-up.
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(self._poll_interval):
                await self._wake_up.wait()
        pause = since + self._batch_window - asyncio.get_running_loop().time()
        if pause > 0:
            await asyncio.sleep(pause)

    @contextlib.asynccontextmanager
    async def _listening(self) -> AsyncIterator[None]:
        if self._engine.dialect.name != "postgresql":
            yield
            return
        listener = asyncio.create_task(self._listen_forever(), name="outbox-listener")
        try:
            yield
        finally:
            listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await listener

    async def _listen_forever(self) -> None:
        """Wake up on ``NOTIFY outbox`` (the outbox trigger's, on each commit that appended);
        reconnect when the database connection is lost — polling covers the gap."""
        dsn = self._engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        while True:
            try:
                connection = await asyncpg.connect(dsn, timeout=5)
            except (OSError, asyncpg.PostgresError, TimeoutError) as error:
                log.warning("cannot listen for outbox notifications", error=repr(error))
                await asyncio.sleep(self._max_backoff)
                continue
            try:
                await self._listen(connection)
            except (OSError, asyncpg.PostgresError) as error:
                log.warning("lost outbox notifications", error=repr(error))
            finally:
                with contextlib.suppress(Exception):
                    await connection.close(timeout=1)

    async def _listen(self, connection: asyncpg.Connection) -> None:
        lost = asyncio.Event()
        connection.add_termination_listener(lambda _connection: lost.set())
        await connection.add_listener(NOTIFY_CHANNEL, self._on_notification)
        self.notify()  # whatever was committed while nobody listened
        await lost.wait()

    def _on_notification(self, *_: Any) -> None:
        self.notify()
