"""Rebuilding the tracking projection from the event log: replay every event into a fresh
copy with the live projectors, swap the copy in, then apply what arrived meanwhile."""

import time
from collections.abc import Callable
from dataclasses import dataclass

import structlog

from logistics_platform.backoffice.application.ports import (
    BackofficeUnitOfWork,
    CatalogEntry,
    EventLog,
    LoggedEvent,
    TrackingCopy,
    TrackingStore,
)
from logistics_platform.backoffice.application.projectors import PROJECTORS, reservation_of
from logistics_platform.backoffice.application.replay import ReplayUnitOfWork
from logistics_platform.shared.application.envelope import EventEnvelope
from logistics_platform.shared.application.retry import retry_on_concurrent_modification
from logistics_platform.shared.application.unit_of_work import Causation
from logistics_platform.shared.domain.errors import InvalidArgument

log = structlog.get_logger(__name__)

TRACKING_EVENTS = frozenset(PROJECTORS)


@dataclass(frozen=True, slots=True)
class RebuildReport:
    events: int
    skipped: int
    views: int
    position: int
    seconds: float

    @property
    def events_per_second(self) -> float:
        return self.events / self.seconds if self.seconds > 0 else 0.0


async def rebuild_tracking(
    store: TrackingStore,
    events: EventLog,
    *,
    batch_size: int = 2000,
    on_progress: Callable[[int], None] = lambda applied: None,
) -> RebuildReport:
    """Rebuild the tracking views from scratch; the live views keep answering meanwhile.
    ``on_progress`` is told how many events each batch applied."""
    started = time.monotonic()
    replay = _Replay(events, batch_size, on_progress)
    async with store.rebuilding() as copy:
        position = await replay.into(copy, after=0)
        position = await replay.into(copy, after=position)  # what arrived meanwhile
        await copy.swap()
    # Live projectors kept writing to the old views until the swap: apply what arrived
    # since the last read again, through the live, versioned path (the projection is
    # idempotent), starting early enough to catch positions that became visible late.
    again_from = max(0, position - events.reorder_window)
    position = await replay.live(store, after=again_from, until=position)
    await store.refresh()
    return RebuildReport(
        events=replay.applied,
        skipped=replay.skipped,
        views=await store.queries.count(),
        position=position,
        seconds=time.monotonic() - started,
    )


class _Replay:
    def __init__(
        self, events: EventLog, batch_size: int, on_progress: Callable[[int], None]
    ) -> None:
        self._events = events
        self._batch_size = batch_size
        self._on_progress = on_progress
        self._entries: dict[str, CatalogEntry] = {}
        self._nameless: set[str] = set()
        self.applied = self.skipped = 0

    async def into(self, copy: TrackingCopy, *, after: int) -> int:
        while batch := await self._read(after):
            uow = ReplayUnitOfWork(copy, self._entries, self._nameless)
            await uow.views.prefetch(
                {
                    reservation
                    for logged in batch
                    if (reservation := reservation_of(logged.envelope))
                }
            )
            self._count([await self._apply(logged.envelope, uow) for logged in batch])
            await copy.put_many(uow.views.changed())
            after = batch[-1].position
        return after

    async def live(self, store: TrackingStore, *, after: int, until: int) -> int:
        """Apply events through the live path; those up to ``until`` were counted before."""
        while batch := await self._read(after):
            outcomes = []
            for logged in batch:

                async def attempt(envelope: EventEnvelope = logged.envelope) -> bool:
                    async with store.unit_of_work(Causation.of(envelope)) as uow:
                        applied = await self._apply(envelope, uow)
                        await uow.commit()
                    return applied

                applied = await retry_on_concurrent_modification(attempt)
                if logged.position > until:
                    outcomes.append(applied)
            self._count(outcomes)
            after = batch[-1].position
        return after

    async def _read(self, after: int) -> list[LoggedEvent]:
        return await self._events.read(after=after, names=TRACKING_EVENTS, limit=self._batch_size)

    async def _apply(self, envelope: EventEnvelope, uow: BackofficeUnitOfWork) -> bool:
        """Whether the event was applied; like the live subscriber (which dead-letters it),
        the rebuild skips an event the projection refuses."""
        try:
            await PROJECTORS[envelope.name](envelope, uow)
        except InvalidArgument as error:
            log.warning("rebuild skipped an event", event_id=envelope.event_id, error=str(error))
            return False
        return True

    def _count(self, outcomes: list[bool]) -> None:
        self.applied += sum(outcomes)
        self.skipped += len(outcomes) - sum(outcomes)
        if outcomes:
            self._on_progress(len(outcomes))
