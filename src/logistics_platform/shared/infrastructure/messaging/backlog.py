"""Backlog gauges, sampled from the database every few seconds while events are delivered:
what the relay has still to publish, and what each in-process subscriber has still to
handle. A failed sample (the database away) leaves the gauges as they were."""

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

import structlog
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from logistics_platform.shared.infrastructure import metrics
from logistics_platform.shared.infrastructure.persistence.database import as_utc
from logistics_platform.shared.infrastructure.persistence.tables import checkpoints, outbox

log = structlog.get_logger(__name__)

SAMPLE_INTERVAL = 5.0

_UNPUBLISHED = select(func.count(), func.min(outbox.c.recorded_at)).where(
    outbox.c.published_at.is_(None)
)
_HEAD = select(func.coalesce(func.max(outbox.c.position), 0))


async def sample_outbox(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        backlog, oldest = (await connection.execute(_UNPUBLISHED)).one()
    metrics.OUTBOX_BACKLOG.set(backlog)
    metrics.OUTBOX_OLDEST_AGE.set(_age(oldest) if oldest is not None else 0.0)


def subscriber_sampler(engine: AsyncEngine, names: list[str]) -> Callable[[], Awaitable[None]]:
    """Samples how far behind the log's head each subscriber's checkpoint is."""

    async def sample() -> None:
        async with engine.connect() as connection:
            head = int(await connection.scalar(_HEAD) or 0)
            rows = await connection.execute(
                select(checkpoints.c.subscriber, checkpoints.c.position)
            )
            positions = {row.subscriber: int(row.position) for row in rows}
        for name in names:
            metrics.SUBSCRIBER_BACKLOG.labels(subscriber=name).set(head - positions.get(name, 0))

    return sample


async def sample_forever(
    sample: Callable[[], Awaitable[None]], interval: float = SAMPLE_INTERVAL
) -> None:
    while True:
        try:
            await sample()
        except Exception as error:  # a gauge is not worth stopping delivery for
            log.debug("backlog not sampled", error=repr(error))
        await asyncio.sleep(interval)


def _age(moment: datetime) -> float:
    return max((datetime.now(UTC) - as_utc(moment)).total_seconds(), 0.0)
