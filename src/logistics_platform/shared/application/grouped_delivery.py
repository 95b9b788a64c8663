"""Group commit for a subscriber: the events that arrive while a transaction commits are
handled together in the next one, so a busy subscriber pays one transaction per batch."""

import asyncio
from dataclasses import dataclass, field
from typing import Any

from logistics_platform.shared.application.envelope import EventEnvelope
from logistics_platform.shared.application.subscriber import Subscriber


@dataclass(slots=True)
class GroupedDelivery:
    """Deliveries to ``subscriber``, each caller awaiting its own event's outcome.

    A batch is all or nothing: when one of its events fails, its events are delivered
    one by one, so that only the failing one reports the error (to be retried on its own).
    """

    subscriber: Subscriber[Any]
    max_batch: int = 100
    _waiting: list[tuple[EventEnvelope, asyncio.Future[None]]] = field(default_factory=list)
    _flusher: asyncio.Task[None] | None = None

    async def deliver(self, envelope: EventEnvelope) -> None:
        outcome = asyncio.get_running_loop().create_future()
        self._waiting.append((envelope, outcome))
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush())
        await outcome

    async def _flush(self) -> None:
        while self._waiting:
            batch = self._waiting[: self.max_batch]
            del self._waiting[: self.max_batch]
            try:
                await self._deliver(batch)
            finally:
                for _, outcome in batch:  # the flusher itself was cancelled
                    if not outcome.done():
                        outcome.cancel()

    async def _deliver(self, batch: list[tuple[EventEnvelope, asyncio.Future[None]]]) -> None:
        if len(batch) > 1:
            try:
                await self.subscriber.deliver_all([envelope for envelope, _ in batch])
            except Exception:  # each event's own delivery below reports it
                pass
            else:
                for _, outcome in batch:
                    _settle(outcome, None)
                return
        for envelope, outcome in batch:
            try:
                await self.subscriber.deliver(envelope)
            except Exception as error:  # reported to its caller
                _settle(outcome, error)
            else:
                _settle(outcome, None)


def _settle(outcome: asyncio.Future[None], error: Exception | None) -> None:
    if outcome.done():  # its caller stopped waiting
        return
    if error is None:
        outcome.set_result(None)
    else:
        outcome.set_exception(error)
