"""The unit of work on SQLAlchemy: one connection, one transaction, events into the outbox."""

from collections.abc import Callable, Sequence
from types import TracebackType
from typing import Protocol, Self

import asyncpg
from sqlalchemy import bindparam, select, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from logistics_platform.shared.application.envelope import EventEnvelope
from logistics_platform.shared.application.unit_of_work import Causation, UnitOfWork
from logistics_platform.shared.domain.errors import ConcurrentModification
from logistics_platform.shared.domain.events import DomainEvent
from logistics_platform.shared.infrastructure import metrics
from logistics_platform.shared.infrastructure.persistence import outbox
from logistics_platform.shared.infrastructure.persistence.database import insert_ignoring_duplicates
from logistics_platform.shared.infrastructure.persistence.tables import processed_events

_TAKE_TURN_TO_APPEND = text("SELECT pg_advisory_xact_lock(7405552)")
# What beginning a transaction on a pooled connection that the server dropped raises: the
# socket is gone, or the driver read the server's farewell but not yet the end of it.
_DROPPED_WHILE_IDLE = (
    OSError,
    asyncpg.InterfaceError,
    asyncpg.InternalClientError,
    asyncpg.PostgresConnectionError,
    asyncpg.AdminShutdownError,
)
_CLAIM_WITH_THE_DRIVER = """
    INSERT INTO processed_events (subscriber, event_id)
    SELECT $1, event_id FROM unnest($2::text[]) AS event_id ORDER BY event_id
    ON CONFLICT DO NOTHING
    RETURNING event_id
"""


_HANDLED = select(processed_events.c.event_id).where(
    processed_events.c.subscriber == bindparam("subscriber"),
    processed_events.c.event_id.in_(bindparam("ids", expanding=True)),
)


class _Transaction(Protocol):
    async def commit(self) -> None: ...

    async def rollback(self) -> None: ...


def _nothing(names: frozenset[str]) -> None:
    return None


class SqlUnitOfWork(UnitOfWork):
    """Subclasses build their repositories on :attr:`connection` (and :attr:`driver`)
    in :meth:`_open`; :meth:`commit` flushes them, appends their aggregates' events to the
    outbox and commits.

    On PostgreSQL the transaction is asyncpg's own, with SQLAlchemy's connection in
    autocommit mode inside it: statements through SQLAlchemy and statements sent to the
    driver directly (:attr:`driver`, for the hottest paths) are part of the same
    transaction. Going through SQLAlchemy costs about as much CPU per statement as the
    driver's round trip itself, which a request paying for several statements notices.
    """

    def __init__(
        self,
        engine: AsyncEngine,
        *,
        causation: Causation | None = None,
        on_events_committed: Callable[[frozenset[str]], None] = _nothing,
        ordered_appends: bool = False,
    ) -> None:
        self._engine = engine
        self._causation = causation or Causation()
        self._on_events_committed = on_events_committed
        self._ordered_appends = ordered_appends and engine.dialect.name == "postgresql"
        self._connection: AsyncConnection | None = None
        self._driver: asyncpg.Connection | None = None
        self._transaction: _Transaction | None = None
        self._staged: list[EventEnvelope] = []  # recorded under an earlier causation
        self._claims: list[dict[str, str]] = []  # on SQLite, written at commit

    @property
    def connection(self) -> AsyncConnection:
        if self._connection is None:
            raise RuntimeError("the unit of work is used outside `async with`")
        return self._connection

    @property
    def driver(self) -> asyncpg.Connection | None:
        """On PostgreSQL, the asyncpg connection the transaction runs on."""
        return self._driver

    def _open(self) -> None:
        """Create the repositories on the transaction's connection."""

    async def __aenter__(self) -> Self:
        try:
            connection = await self._connect_and_begin()
        except _DROPPED_WHILE_IDLE:
            # The server dropped the pooled connection while it sat idle (a restart, say):
            # nothing was done on it, and the pool has been replaced. Once more, on a new
            # connection (if that fails too, the server is away: the error propagates).
            connection = await self._connect_and_begin()
        self._connection = connection
        self._open()
        return self

    async def _connect_and_begin(self) -> AsyncConnection:
        connection = await self._engine.connect()
        try:
            await self._begin(connection)
        except _DROPPED_WHILE_IDLE:
            await self._release(connection, failed=True, lost=True)
            raise
        except BaseException:
            await self._release(connection, failed=True)
            raise
        return connection

    async def _begin(self, connection: AsyncConnection) -> None:
        if connection.dialect.name != "postgresql":
            self._transaction = await connection.begin()
            return
        await connection.execution_options(isolation_level="AUTOCOMMIT")
        raw = await connection.get_raw_connection()
        self._driver = driver = raw.driver_connection
        assert driver is not None
        transaction = driver.transaction()
        await transaction.start()
        self._transaction = transaction

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        connection, self._connection = self.connection, None
        try:
            await self.rollback()
        except Exception:
            await self._release(connection, failed=True)
            if exc is None:
                raise
        else:
            await self._release(connection, failed=False)

    async def _release(
        self, connection: AsyncConnection, *, failed: bool, lost: bool = False
    ) -> None:
        """Return the connection to the pool, unless its state is unknown after a failure.
        A driver connection found closed (or ``lost``) means the server went away (a
        restart, say): every pooled connection is replaced, so that one request notices,
        not one each."""
        self._transaction = None
        lost = lost or (self._driver is not None and self._driver.is_closed())
        self._driver = None
        if failed or lost:
            await connection.invalidate()
        await connection.close()
        if lost:
            await self._engine.dispose()

    async def _before_commit(self) -> None:
        """Write what the repositories held back until the end of the transaction."""
        for repository in self.repositories():
            await repository.flush()

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
        transaction = self._active_transaction()
        # The repositories first: each works out its rows before its first statement,
        # which on SQLite takes the write lock (the claims' insert would take it sooner).
        await self._before_commit()
        await self._record_claims()
        envelopes = [*self._staged, *self._wrap(self.collect_events())]
        self._staged = []
        if envelopes and self._ordered_appends:
            # In-process delivery follows the log by position, so positions must become
            # visible in order: event-recording transactions take turns from here to commit.
            await self.connection.execute(_TAKE_TURN_TO_APPEND)
        # On PostgreSQL a trigger notifies the relays (migration 0003), delivered on commit.
        await outbox.append(self.connection, envelopes, driver=self._driver)
        self._transaction = None  # whatever the commit does, nothing is left to roll back
        await transaction.commit()
        if envelopes:
            metrics.count(metrics.EVENTS_RECORDED, envelopes)
            self._on_events_committed(frozenset(envelope.name for envelope in envelopes))

    async def rollback(self) -> None:
        self._staged, self._claims = [], []
        transaction, self._transaction = self._transaction, None
        if transaction is not None:
            await transaction.rollback()

    def _active_transaction(self) -> _Transaction:
        if self._transaction is None:
            raise RuntimeError("the unit of work was committed or rolled back already")
        return self._transaction

    async def claim(self, subscriber: str, event_id: str) -> bool:
        return bool(await self.claim_all(subscriber, [event_id]))

    async def claim_all(self, subscriber: str, event_ids: Sequence[str]) -> set[str]:
        # ON CONFLICT DO NOTHING waits for a concurrent claimer to finish: if it committed,
        # nothing is inserted; if it rolled back, this transaction gets the claim.
        if not event_ids:
            return set()
        ordered = sorted(set(event_ids))
        if self._driver is not None:  # every event handled pays for this statement
            rows = await self._driver.fetch(_CLAIM_WITH_THE_DRIVER, subscriber, ordered)
            return {row["event_id"] for row in rows}
        # SQLite: a read now, the records at commit, so that the handling runs before the
        # transaction takes the write lock (see database.create_engine).
        handled = await self.connection.scalars(
            _HANDLED, {"subscriber": subscriber, "ids": ordered}
        )
        unhandled = set(ordered).difference(handled)
        self._claims.extend({"subscriber": subscriber, "event_id": id} for id in sorted(unhandled))
        return unhandled

    async def _record_claims(self) -> None:
        """The claims :meth:`claim_all` deferred; if another transaction recorded one of
        them meanwhile, this one handled it twice: it is tried again."""
        claims, self._claims = self._claims, []
        if not claims:
            return
        recorded = await self.connection.execute(
            insert_ignoring_duplicates(
                self.connection, processed_events, returning=processed_events.c.event_id
            ),
            claims,
        )
        if len(recorded.all()) != len(claims):
            raise ConcurrentModification("an event was handled meanwhile")
