"""In-memory SLA ports, for the watch handler and the monitor without a database."""

from collections.abc import Iterable
from dataclasses import replace

from logistics_platform.backoffice.application.sla_ports import (
    SlaBreaches,
    SlaUnitOfWork,
    SlaWatches,
)
from logistics_platform.backoffice.domain.sla import BreachKind, Cutoffs, SlaBreach, SlaWatch
from logistics_platform.shared.domain.events import DomainEvent
from tests.fakes.backoffice import FakeProgress


class FakeSlaWatches(SlaWatches):
    def __init__(self) -> None:
        self.rows: dict[str, SlaWatch] = {}

    async def get_many(self, package_ids: Iterable[str]) -> dict[str, SlaWatch]:
        return {id: self.rows[id] for id in package_ids if id in self.rows}

    async def save(self, watch: SlaWatch) -> None:
        self.rows[watch.package_id] = replace(watch, revision=watch.revision + 1)

    async def overdue(self, cutoffs: Cutoffs, limit: int) -> list[SlaWatch]:
        def cutoff(watch: SlaWatch) -> object:
            if watch.open_kind is BreachKind.STUCK_REGISTERED:
                return cutoffs.registered
            return cutoffs.in_transit_by_carrier.get(watch.carrier or "", cutoffs.in_transit)

        due = [
            w
            for w in self.rows.values()
            if w.open_kind is not None and w.since is not None and w.since <= cutoff(w)
        ]
        return sorted(due, key=lambda w: (w.since, w.package_id))[:limit]


class FakeSlaBreaches(SlaBreaches):
    def __init__(self) -> None:
        super().__init__()
        self.kept: dict[tuple[str, BreachKind], SlaBreach] = {}

    async def add(self, breach: SlaBreach) -> bool:
        key = (breach.watch.package_id, breach.breach.kind)
        if key in self.kept:
            return False
        self.kept[key] = breach
        self.seen.append(breach)
        return True


class FakeSlaUnitOfWork(SlaUnitOfWork):
    """One store shared by every transaction; commit keeps the recorded events."""

    def __init__(self) -> None:
        self.watches = FakeSlaWatches()
        self.breaches = FakeSlaBreaches()
        self.progress = FakeProgress()
        self.events: list[DomainEvent] = []

    async def commit(self) -> None:
        self.events += self.collect_events()

    async def rollback(self) -> None:
        pass

    async def claim(self, subscriber: str, event_id: str) -> bool:
        return True
