"""What a live page follows: the tracking events the tracking projection has applied.

A change is named by its position in the event log, so a client that lost its connection
resumes after the last position it saw. Only applied events are changes: when one arrives,
the view it concerns already shows it.
"""

from dataclasses import dataclass

from logistics_platform.backoffice.application.ports import EventLog
from logistics_platform.backoffice.application.projectors import reservation_of
from logistics_platform.backoffice.application.subscribers import TRACKING, TRACKING_EVENTS

BATCH = 200


@dataclass(frozen=True, slots=True)
class TrackingChange:
    position: int
    event: str
    reservation_id: str | None


class TrackingChanges:
    """Changes to tracking views, in log order, once their projection has applied them."""

    def __init__(
        self,
        log: EventLog,
        *,
        projection: str = TRACKING,
        events: frozenset[str] = TRACKING_EVENTS,
        batch: int = BATCH,
    ) -> None:
        self._log = log
        self._projection = projection
        self._events = events
        self._batch = batch

    async def start(self, last_seen: int | None = None) -> int:
        """Where a follower starts: after ``last_seen`` (what a reconnecting client saw
        last), or from now on. Never past what is applied: a position the log never
        reached (another database, say) means from now on too."""
        applied = await self._log.applied(self._projection) or 0
        return applied if last_seen is None else min(last_seen, applied)

    async def after(self, position: int) -> list[TrackingChange]:
        """The applied changes after ``position``, oldest first; at most one batch."""
        applied = await self._log.applied(self._projection)
        if applied is None or applied <= position:
            return []
        logged = await self._log.read(after=position, names=self._events, limit=self._batch)
        return [
            TrackingChange(event.position, event.envelope.name, reservation_of(event.envelope))
            for event in logged
            if event.position <= applied
        ]

    @property
    def batch(self) -> int:
        return self._batch
