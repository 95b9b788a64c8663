"""Dead letters of the embedded mode: rows of ``dead_letters``, replayed in this process."""

from collections.abc import Sequence
from typing import Any

import structlog
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncEngine

from logistics_platform.shared.application.dead_letters import DeadLetter, DeadLetters, Republished
from logistics_platform.shared.application.envelope import EventEnvelope
from logistics_platform.shared.application.subscriber import Subscriber
from logistics_platform.shared.infrastructure.persistence.tables import dead_letters

log = structlog.get_logger(__name__)


class SqlDeadLetters(DeadLetters):
    def __init__(self, engine: AsyncEngine, subscribers: Sequence[Subscriber[Any]]) -> None:
        self._engine = engine
        self._subscribers = {subscriber.name: subscriber for subscriber in subscribers}

    async def peek(self, subscriber: str | None = None) -> list[DeadLetter]:
        query = select(dead_letters).order_by(dead_letters.c.id)
        if subscriber is not None:
            query = query.where(dead_letters.c.subscriber == subscriber)
        async with self._engine.connect() as connection:
            rows = (await connection.execute(query)).all()
        return [
            DeadLetter(
                subscriber=row.subscriber,
                event_id=row.event_id,
                event_name=row.event_name,
                attempts=row.attempts,
                reason=row.error,
                failed_at=row.failed_at,
            )
            for row in rows
        ]

    async def republish(
        self, subscriber: str | None = None, event_id: str | None = None
    ) -> Republished:
        """Deliver each matching dead letter to its subscriber now; a row is removed only
        when that delivery succeeded."""
        query = select(dead_letters).order_by(dead_letters.c.id)
        if subscriber is not None:
            query = query.where(dead_letters.c.subscriber == subscriber)
        if event_id is not None:
            query = query.where(dead_letters.c.event_id == event_id)
        async with self._engine.connect() as connection:
            rows = (await connection.execute(query)).all()
        republished = failed = 0
        for row in rows:
            if await self._redeliver(row.subscriber, row.envelope):
                async with self._engine.begin() as connection:
                    await connection.execute(
                        delete(dead_letters).where(dead_letters.c.id == row.id)
                    )
                republished += 1
            else:
                failed += 1
        return Republished(republished, failed)

    async def _redeliver(self, name: str, envelope: str) -> bool:
        subscriber = self._subscribers.get(name)
        if subscriber is None:
            log.error("dead letter of an unknown subscriber kept", subscriber=name)
            return False
        try:
            await subscriber.deliver(EventEnvelope.from_json(envelope))
        except Exception as error:
            log.error("dead letter failed again", subscriber=name, error=repr(error))
            return False
        return True
