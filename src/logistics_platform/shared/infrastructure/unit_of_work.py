"""The unit of work on SQLAlchemy: one connection, one transaction, events into the outbox."""

from collections.abc import Callable, Sequence
from types import TracebackType
from typing import Self

from sqlalchemy import (
    Column,
    DateTime,
    PrimaryKeyConstraint,
    String,
    Table,
    func,
    text,
)
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from logistics_platform.shared.application.envelope import EventEnvelope
from logistics_platform.shared.application.unit_of_work import Causation, UnitOfWork
from logistics_platform.shared.domain.events import DomainEvent
from logistics_platform.shared.infrastructure import outbox
from logistics_platform.shared.infrastructure.database import insert_ignoring_duplicates, metadata

processed_events = Table(
    "processed_events",
    metadata,
    Column("subscriber", String(200), nullable=False),
    Column("event_id", String(36), nullable=False),
    Column("handled_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    PrimaryKeyConstraint("subscriber", "event_id"),
)


_TAKE_TURN_TO_APPEND = text("SELECT pg_advisory_xact_lock(7405552)")


def _nothing() -> None:
    return None


class SqlUnitOfWork(UnitOfWork):
    """Subclasses build their repositories on :attr:`connection` in :meth:`_open`."""

    def __init__(
        self,
        engine: AsyncEngine,
        *,
        causation: Causation | None = None,
        on_events_committed: Callable[[], None] = _nothing,
        ordered_appends: bool = False,
    ) -> None:
        self._engine = engine
        self._causation = causation or Causation()
        self._on_events_committed = on_events_committed
        self._ordered_appends = ordered_appends and engine.dialect.name == "postgresql"
        self._connection: AsyncConnection | None = None
        self._staged: list[EventEnvelope] = []  # recorded under an earlier causation

    @property
    def connection(self) -> AsyncConnection:
        if self._connection is None:
            raise RuntimeError("the unit of work is used outside `async with`")
        return self._connection

    def _open(self, connection: AsyncConnection) -> None:
        """Create the repositories on the transaction's connection."""

    async def __aenter__(self) -> Self:
        self._connection = await self._engine.connect()
        await self._connection.begin()
        self._open(self._connection)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            await self.rollback()
        finally:
            await self.connection.close()
            self._connection = None

    async def _before_commit(self) -> None:
        """Write what was kept back until the end of the transaction."""

    def caused_by(self, causation: Causation) -> None:
        self._staged.extend(self._wrap(self.collect_events()))
        self._causation = causation

    def _wrap(self, events: list[DomainEvent]) -> list[EventEnvelope]:
        return [
            EventEnvelope.wrap(
                event,
                correlation_id=self._causation.correlation_id,
                causation_id=self._causation.causation_id,
            )
            for event in events
        ]

    async def commit(self) -> None:
        await self._before_commit()
        envelopes = [*self._staged, *self._wrap(self.collect_events())]
        self._staged = []
        if envelopes and self._ordered_appends:
            # In-process delivery follows the log by position, so positions must become
            # visible in order: event-recording transactions take turns from here to commit.
            await self.connection.execute(_TAKE_TURN_TO_APPEND)
        # On PostgreSQL a trigger notifies the relays (migration 0003), delivered on commit.
        await outbox.append(self.connection, envelopes)
        await self.connection.commit()
        if envelopes:
            self._on_events_committed()

    async def rollback(self) -> None:
        self._staged = []
        if self.connection.in_transaction():
            await self.connection.rollback()

    async def claim(self, subscriber: str, event_id: str) -> bool:
        # ON CONFLICT DO NOTHING waits for a concurrent claimer to finish: if it committed,
        # nothing is inserted; if it rolled back, this transaction gets the claim.
        claimed = await self.connection.execute(
            insert_ignoring_duplicates(self.connection, processed_events),
            {"subscriber": subscriber, "event_id": event_id},
        )
        return bool(claimed.rowcount == 1)

    async def claim_all(self, subscriber: str, event_ids: Sequence[str]) -> set[str]:
        if not event_ids:
            return set()
        claimed = await self.connection.execute(
            insert_ignoring_duplicates(
                self.connection, processed_events, returning=processed_events.c.event_id
            ),
            [{"subscriber": subscriber, "event_id": id} for id in sorted(set(event_ids))],
        )
        return {row.event_id for row in claimed}
