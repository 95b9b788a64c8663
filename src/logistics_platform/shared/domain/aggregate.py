"""The aggregate root: a consistency boundary that records what happened to it."""

from logistics_platform.shared.domain.events import DomainEvent


class AggregateRoot:
    """Base for aggregates; ``version`` counts the changes already stored."""

    def __init__(self, *, version: int = 0) -> None:
        self.version = version
        self._recorded: list[DomainEvent] = []

    def record(self, event: DomainEvent) -> None:
        """Remember an event until the unit of work pulls it into the outbox."""
        self._recorded.append(event)

    def pull_domain_events(self) -> list[DomainEvent]:
        """Hand out the recorded events, once."""
        events, self._recorded = self._recorded, []
        return events
