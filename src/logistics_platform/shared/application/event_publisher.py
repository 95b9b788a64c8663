"""The port the outbox relay sends recorded events through."""

import abc
from collections.abc import Sequence

from logistics_platform.shared.application.envelope import EventEnvelope


class EventPublisher(abc.ABC):
    """Hands events over to the event bus."""

    @abc.abstractmethod
    async def publish(self, envelopes: Sequence[EventEnvelope]) -> None:
        """Send ``envelopes`` in order and return only once the bus has taken responsibility
        for every one of them (stored and confirmed). Raise if any was not confirmed: the
        caller then sends them all again, so subscribers may see duplicates, never gaps."""

    @abc.abstractmethod
    async def close(self) -> None:
        """Release the connection to the bus."""
