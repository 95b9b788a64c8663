"""The unit of work port: one business transaction, committed explicitly, rolled back otherwise."""

import abc
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from types import TracebackType
from typing import Self

from logistics_platform.shared.application.envelope import EventEnvelope
from logistics_platform.shared.domain.events import DomainEvent
from logistics_platform.shared.domain.repository import Repository


@dataclass(frozen=True, slots=True)
class Causation:
    """Why a transaction runs: the request or event whose handling records new events."""

    correlation_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    causation_id: str | None = None

    @classmethod
    def of(cls, envelope: EventEnvelope) -> "Causation":
        return cls(correlation_id=envelope.correlation_id, causation_id=envelope.event_id)


class UnitOfWork(abc.ABC):
    """Changes made through its repositories, and the events the touched aggregates
    recorded, are stored together on :meth:`commit` — or not at all."""

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.rollback()

    @abc.abstractmethod
    async def commit(self) -> None:
        """Store every change and the recorded events atomically."""

    @abc.abstractmethod
    async def rollback(self) -> None:
        """Forget whatever was not committed (harmless after a commit)."""

    @abc.abstractmethod
    async def claim(self, subscriber: str, event_id: str) -> bool:
        """Record, in this transaction, that ``subscriber`` handles ``event_id``; False if
        that was already recorded (a transaction handling it concurrently is waited for)."""

    async def claim_all(self, subscriber: str, event_ids: Sequence[str]) -> set[str]:
        """Claim several events at once (in a stable order, so that two transactions
        claiming overlapping sets cannot deadlock): the ids that were not handled yet."""
        return {id for id in sorted(event_ids) if await self.claim(subscriber, id)}

    def caused_by(self, causation: Causation) -> None:  # noqa: B027 - optional, see below
        """The events recorded from now on are caused by ``causation``; those recorded so
        far keep theirs. A unit of work that stores events must honour it (one transaction
        may handle several events); the others may ignore it."""

    def repositories(self) -> tuple[Repository, ...]:
        return ()

    def collect_events(self) -> list[DomainEvent]:
        return [
            event
            for repository in self.repositories()
            for aggregate in repository.seen
            for event in aggregate.pull_domain_events()
        ]
