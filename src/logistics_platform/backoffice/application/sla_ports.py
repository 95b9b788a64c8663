"""What the SLA watch needs from storage, and the SLA alerts question and its answer."""

import abc
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from logistics_platform.backoffice.application.ports import ProjectionProgress
from logistics_platform.backoffice.application.queries import PageRequest
from logistics_platform.backoffice.domain.sla import BreachKind, Cutoffs, SlaBreach, SlaWatch
from logistics_platform.shared.application.paging import Page
from logistics_platform.shared.application.unit_of_work import UnitOfWork
from logistics_platform.shared.domain.repository import Repository


class SlaWatches(abc.ABC):
    """Each package's watch, by package id."""

    @abc.abstractmethod
    async def get_many(self, package_ids: Iterable[str]) -> dict[str, SlaWatch]: ...

    @abc.abstractmethod
    async def save(self, watch: SlaWatch) -> None:
        """Store ``watch`` as its next revision; raise ``ConcurrentModification`` if the
        stored revision is no longer ``watch.revision`` (or a new one exists already)."""

    @abc.abstractmethod
    async def overdue(self, cutoffs: Cutoffs, limit: int) -> list[SlaWatch]:
        """Watches with a time-based kind still open whose status began at or before its
        cutoff, the oldest first, at most ``limit``."""


class SlaBreaches(Repository):
    """Breaches, one per package and kind."""

    @abc.abstractmethod
    async def add(self, breach: SlaBreach) -> bool:
        """Keep ``breach`` unless its package already has one of its kind (whoever raised
        it, this transaction waits for them); only a kept breach's event is recorded."""


class SlaUnitOfWork(UnitOfWork):
    watches: SlaWatches
    breaches: SlaBreaches
    progress: ProjectionProgress

    def repositories(self) -> tuple[Repository, ...]:
        return (self.breaches,)


@dataclass(frozen=True, kw_only=True)
class SlaAlertsQuery(PageRequest):
    kind: BreachKind | None = None
    carrier: str | None = None


@dataclass(frozen=True, slots=True)
class SlaAlert:
    """A breach as the API and the dashboard list it."""

    package_id: str
    kind: BreachKind
    reservation_id: str
    tracking_number: str | None
    status: str
    carrier: str | None
    since: datetime
    threshold_seconds: float | None
    failures: int
    detected_at: datetime


class SlaAlerts(abc.ABC):
    """The SLA alerts question (the API's and the dashboard's)."""

    @abc.abstractmethod
    async def list(self, query: SlaAlertsQuery) -> Page[SlaAlert]:
        """Breaches matching the query, the newest detected first."""
