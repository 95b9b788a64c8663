"""Backlog gauges, sampled from the database every few seconds while events are delivered:
what the relay has still to publish, and what each in-process subscriber has still to
handle. A failed sample (the database away) leaves the gauges as they were."""

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime

import structlog
from sqlalchemy import bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from logistics_platform.shared.infrastructure import metrics
from logistics_platform.shared.infrastructure.persistence.database import as_utc, reader
from logistics_platform.shared.infrastructure.persistence.tables import checkpoints, outbox

log = structlog.get_logger(__name__)

SAMPLE_INTERVAL = 5.0

_UNPUBLISHED = select(func.count(), func.min(outbox.c.recorded_at)).where(
    outbox.c.published_at.is_(None)
)
# By the (name, position) index: only the events the subscriber follows are counted.
_PENDING = select(func.count()).where(
    outbox.c.position > bindparam("after"), outbox.c.name.in_(bindparam("names", expanding=True))
)


async def sample_outbox(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        backlog, oldest = (await connection.execute(_UNPUBLISHED)).one()
    metrics.OUTBOX_BACKLOG.set(backlog)
    metrics.OUTBOX_OLDEST_AGE.set(_age(oldest) if oldest is not None else 0.0)


def subscriber_sampler(
    engine: AsyncEngine, follows: Mapping[str, frozenset[str]]
) -> Callable[[], Awaitable[None]]:
    """Samples how many events each subscriber (``follows``: its name, the names of its
    events) has still to handle: those of its names recorded after its checkpoint. (Not
    all events after it: the checkpoint of a subscriber to rare events stays at the last
    one, however many others follow.)"""

    async def sample() -> None:
        async with reader(engine).connect() as connection:
            rows = await connection.execute(
                select(checkpoints.c.subscriber, checkpoints.c.position)
            )
            positions = {row.subscriber: int(row.position) for row in rows}
            pending = {
                name: int(
                    await connection.scalar(
                        _PENDING, {"after": positions.get(name, 0), "names": sorted(events)}
                    )
                    or 0
                )
                for name, events in follows.items()
            }
        for name, count in pending.items():
            metrics.SUBSCRIBER_BACKLOG.labels(subscriber=name).set(count)

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
