"""Group commit for a subscriber: the events that arrive while a transaction commits are
handled together in the next one, so a busy subscriber pays one transaction per batch."""

from collections.abc import Sequence
from typing import Any

from logistics_platform.shared.application.envelope import EventEnvelope
from logistics_platform.shared.application.group_commit import GroupCommit
from logistics_platform.shared.application.subscriber import Subscriber


class GroupedDelivery(GroupCommit[EventEnvelope, None]):
    """Deliveries to ``subscriber``, each caller awaiting its own event's outcome.

    A batch is all or nothing: when one of its events fails, its events are delivered
    one by one, so that only the failing one reports the error (to be retried on its own).
    """

    def __init__(
        self, subscriber: Subscriber[Any], *, max_batch: int = 100, window: float = 0.0
    ) -> None:
        super().__init__(self._deliver_all, subscriber.deliver, max_batch=max_batch, window=window)
        self.subscriber = subscriber

    async def deliver(self, envelope: EventEnvelope) -> None:
        await self.submit(envelope)

    async def _deliver_all(self, envelopes: Sequence[EventEnvelope]) -> list[Exception | None]:
        await self.subscriber.deliver_all(envelopes)
        return [None] * len(envelopes)
