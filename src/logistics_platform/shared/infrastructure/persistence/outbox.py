"""The transactional outbox: every recorded event, in order of recording. It is the event log."""

import contextlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, replace

import asyncpg
from sqlalchemy import bindparam, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from logistics_platform.shared.application.envelope import EventEnvelope
from logistics_platform.shared.infrastructure import tracing
from logistics_platform.shared.infrastructure.persistence.tables import outbox

_APPEND = insert(outbox)
_APPEND_WITH_THE_DRIVER = (
    "INSERT INTO outbox (event_id, name, aggregate_id, occurred_on, envelope, trace_context)"
    " VALUES ($1, $2, $3, $4, $5, $6)"
)


READ_LIMIT = 500  # events a read answers at most

# Built once: every subscriber reads after each commit it is told of.
_READ = (
    select(outbox.c.position, outbox.c.envelope, outbox.c.trace_context)
    .where(outbox.c.position > bindparam("after"))
    .order_by(outbox.c.position)
    .limit(bindparam("limit"))
)
_READ_NAMED = _READ.where(outbox.c.name.in_(bindparam("names", expanding=True)))


@dataclass(frozen=True, slots=True)
class RecordedEvent:
    """An envelope and its position in the log."""

    position: int
    envelope: EventEnvelope


async def append(
    connection: AsyncConnection,
    envelopes: Sequence[EventEnvelope],
    *,
    driver: asyncpg.Connection | None = None,
) -> None:
    """Record events in the caller's transaction (on PostgreSQL, straight through its
    ``driver`` connection when given: every command pays for this statement)."""
    if not envelopes:
        return
    trace_context = tracing.recording_context()  # None unless tracing
    rows = [
        (
            envelope.event_id,
            envelope.name,
            envelope.aggregate_id,
            envelope.occurred_on,
            envelope.to_json(),
            trace_context,
        )
        for envelope in envelopes
    ]
    if driver is not None and len(rows) == 1:  # the usual case, and the cheaper call
        await driver.execute(_APPEND_WITH_THE_DRIVER, *rows[0])
    elif driver is not None:
        await driver.executemany(_APPEND_WITH_THE_DRIVER, rows)
    else:
        columns = ("event_id", "name", "aggregate_id", "occurred_on", "envelope", "trace_context")
        await connection.execute(_APPEND, [dict(zip(columns, row, strict=True)) for row in rows])


async def read(
    connection: AsyncConnection,
    *,
    after: int = 0,
    names: frozenset[str] | None = None,
    limit: int = READ_LIMIT,
) -> list[RecordedEvent]:
    """Events after ``after`` in order of recording, optionally only those named ``names``."""
    if names is None:
        rows = await connection.execute(_READ, {"after": after, "limit": limit})
    else:
        parameters = {"after": after, "limit": limit, "names": sorted(names)}
        rows = await connection.execute(_READ_NAMED, parameters)
    return [RecordedEvent(row.position, traced(row.envelope, row.trace_context)) for row in rows]


def traced(envelope: str, trace_context: str | None) -> EventEnvelope:
    """An outbox row's envelope, with the trace context it was recorded in (if any)."""
    parsed = EventEnvelope.from_json(envelope)
    if trace_context is None:
        return parsed
    with contextlib.suppress(ValueError):  # a damaged context only loses the trace
        carrier = json.loads(trace_context)
        if isinstance(carrier, dict):
            return replace(parsed, trace_context=carrier)
    return parsed
