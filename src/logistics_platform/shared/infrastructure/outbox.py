"""The transactional outbox: every recorded event, in order of recording. It is the event log."""

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Column, DateTime, Index, String, Table, Text, func, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from logistics_platform.shared.application.envelope import EventEnvelope
from logistics_platform.shared.infrastructure.database import BigSerial, metadata

outbox = Table(
    "outbox",
    metadata,
    Column("position", BigSerial, primary_key=True, autoincrement=True),
    Column("event_id", String(36), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("aggregate_id", String(64), nullable=False),
    Column("occurred_on", DateTime(timezone=True), nullable=False),
    Column("envelope", Text, nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("published_at", DateTime(timezone=True), nullable=True),
    Index(
        "ix_outbox_unpublished",
        "position",
        postgresql_where="published_at IS NULL",
        sqlite_where="published_at IS NULL",
    ),
    Index("ix_outbox_name_position", "name", "position"),
)


_APPEND = insert(outbox)


@dataclass(frozen=True, slots=True)
class RecordedEvent:
    """An envelope and its position in the log."""

    position: int
    envelope: EventEnvelope


async def append(connection: AsyncConnection, envelopes: Sequence[EventEnvelope]) -> None:
    """Record events in the caller's transaction."""
    if not envelopes:
        return
    await connection.execute(
        _APPEND,
        [
            {
                "event_id": envelope.event_id,
                "name": envelope.name,
                "aggregate_id": envelope.aggregate_id,
                "occurred_on": envelope.occurred_on,
                "envelope": envelope.to_json(),
            }
            for envelope in envelopes
        ],
    )


async def read(
    connection: AsyncConnection,
    *,
    after: int = 0,
    names: frozenset[str] | None = None,
    limit: int = 500,
) -> list[RecordedEvent]:
    """Events after ``after`` in order of recording, optionally only those named ``names``."""
    query = select(outbox.c.position, outbox.c.envelope).where(outbox.c.position > after)
    if names is not None:
        query = query.where(outbox.c.name.in_(sorted(names)))
    rows = await connection.execute(query.order_by(outbox.c.position).limit(limit))
    return [RecordedEvent(row.position, EventEnvelope.from_json(row.envelope)) for row in rows]
