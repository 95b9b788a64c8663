"""The event log the read side replays and measures its lag against: the outbox."""

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from logistics_platform.backoffice.application.ports import EventLog, LoggedEvent, ProjectionLag
from logistics_platform.backoffice.infrastructure.tables import projection_progress
from logistics_platform.shared.infrastructure.persistence import outbox, tables
from logistics_platform.shared.infrastructure.persistence.database import as_utc

# More than the events that concurrent transactions can hold uncommitted at once.
POSTGRES_REORDER_WINDOW = 256


class OutboxEventLog(EventLog):
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        # SQLite serializes writers, so positions become visible in order.
        self.reorder_window = 0 if engine.dialect.name == "sqlite" else POSTGRES_REORDER_WINDOW

    async def read(self, *, after: int, names: frozenset[str], limit: int) -> list[LoggedEvent]:
        async with self._engine.connect() as connection:
            recorded = await outbox.read(connection, after=after, names=names, limit=limit)
        return [LoggedEvent(event.position, event.envelope) for event in recorded]

    async def count(self, *, after: int, names: frozenset[str]) -> int:
        log = tables.outbox.c
        async with self._engine.connect() as connection:
            found = await connection.scalar(
                select(func.count()).where(log.position > after, log.name.in_(sorted(names)))
            )
        return int(found or 0)

    async def applied(self, projection: str) -> int | None:
        progress = projection_progress.c
        async with self._engine.connect() as connection:
            position = await connection.scalar(
                select(progress.position).where(progress.projection == projection)
            )
        return None if position is None else int(position)

    async def lag(self, projections: Mapping[str, frozenset[str]]) -> list[ProjectionLag]:
        async with self._engine.connect() as connection:
            rows = await connection.execute(
                select(projection_progress).where(
                    projection_progress.c.projection.in_(sorted(projections))
                )
            )
            progress = {row.projection: row for row in rows}
            return [
                await _lag_of(connection, name, events, progress.get(name))
                for name, events in sorted(projections.items())
            ]


async def _lag_of(
    connection: AsyncConnection, name: str, events: frozenset[str], progress: Row[Any] | None
) -> ProjectionLag:
    log = tables.outbox.c
    position: int | None = progress.position if progress else None
    followed = log.name.in_(sorted(events))
    head = await connection.scalar(select(func.max(log.position)).where(followed))
    pending = [followed, log.position > (position or 0)]
    behind = await connection.scalar(select(func.count()).where(*pending))
    oldest = await connection.scalar(
        select(log.occurred_on).where(*pending).order_by(log.position).limit(1)
    )
    return ProjectionLag(
        projection=name,
        events=events,
        position=position,
        event_id=progress.event_id if progress else None,
        occurred_on=as_utc(progress.occurred_on) if progress else None,
        head=int(head or 0),
        behind=int(behind or 0),
        seconds_behind=_seconds_since(as_utc(oldest)),
    )


def _seconds_since(moment: datetime | None) -> float:
    if moment is None:
        return 0.0
    return round(max(0.0, (datetime.now(UTC) - moment).total_seconds()), 3)
