"""``python stalling_consumer.py PHASE MARKER``: the logistics
consumer, except that it stalls while handling its first event — ``in_transaction`` (the
handler's writes made, not committed) or ``after_commit`` (committed, not acknowledged) —
after touching MARKER, so that a test can kill it right there."""

import asyncio
import dataclasses
import sys
from pathlib import Path
from typing import Any

from logistics_platform.bootstrap import bootstrap
from logistics_platform.config import Settings
from logistics_platform.entrypoints.logging import configure_logging
from logistics_platform.logistics.infrastructure.unit_of_work import SqlLogisticsUnitOfWork
from logistics_platform.shared.application.envelope import EventEnvelope
from logistics_platform.shared.application.subscriber import Subscriber
from logistics_platform.shared.application.unit_of_work import Causation


async def _stall(marker: Path) -> None:
    await asyncio.to_thread(marker.write_text, "stalled")
    await asyncio.sleep(3600)


def _stalling(subscriber: Subscriber[Any], phase: str, marker: Path) -> Subscriber[Any]:
    if phase == "in_transaction":
        handler = subscriber.handler

        async def handle_then_stall(envelope: EventEnvelope, uow: Any) -> None:
            await handler(envelope, uow)
            await _stall(marker)

        return dataclasses.replace(subscriber, handler=handle_then_stall)
    engine = subscriber.unit_of_work(Causation())._engine

    class StallAfterCommit(SqlLogisticsUnitOfWork):
        async def commit(self) -> None:
            await super().commit()
            await _stall(marker)

    return dataclasses.replace(
        subscriber, unit_of_work=lambda causation: StallAfterCommit(engine, causation=causation)
    )


async def main(phase: str, marker: Path) -> None:
    settings = Settings()
    configure_logging(settings)
    platform = await bootstrap(settings, migrate=False)
    subscribers = [
        _stalling(subscriber, phase, marker) for subscriber in platform.subscribers_of("logistics")
    ]
    await platform.consumer(subscribers, name="stalling-consumer").run()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], Path(sys.argv[2])))
