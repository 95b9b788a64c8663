"""SLA alerts: the watch subscriber (keeps each package's watch, raises repeated failures at
once) and the monitor (raises the time-based kinds when they fall due).

Each breach is raised once per package and kind: the breach row and its event commit
together, and a second raiser (another replica's monitor, say) finds the row and records
nothing."""

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime

import structlog

from logistics_platform.backoffice.application.attributes import optional_text, text, version
from logistics_platform.backoffice.application.sla_ports import SlaUnitOfWork
from logistics_platform.backoffice.domain.sla import (
    Breach,
    PackageFact,
    SlaBreach,
    SlaPolicy,
    SlaWatch,
    Step,
)
from logistics_platform.shared.application.envelope import EventEnvelope
from logistics_platform.shared.application.retry import retry_on_concurrent_modification
from logistics_platform.shared.application.unit_of_work import Causation

log = structlog.get_logger(__name__)

SLA_WATCH = "backoffice.sla_watch"
_PACKAGE = "logistics.package."
SLA_WATCH_EVENTS = frozenset(_PACKAGE + step.value for step in Step)

Clock = Callable[[], datetime]


def _utc_now() -> datetime:
    return datetime.now(UTC)


def watching(
    policy: SlaPolicy, clock: Clock = _utc_now
) -> Callable[[EventEnvelope, SlaUnitOfWork], Awaitable[None]]:
    """The watch subscriber's handler: note the event's fact on its package's watch, raise
    ``repeated_failures`` as soon as it holds, record the progress."""

    async def watch_on_package_event(event: EventEnvelope, uow: SlaUnitOfWork) -> None:
        package_id = event.aggregate_id
        known = (await uow.watches.get_many([package_id])).get(package_id)
        watch = known or _new_watch(event)
        number = optional_text(event, "trackingNumber")  # on registrations
        watch = watch.observe(_fact_of(event), tracking_number=number)
        breach = watch.failing(policy)
        if breach is not None:
            await _raise(uow, watch, breach, clock())
            watch = watch.having_raised(breach.kind)  # by this transaction or an earlier one
        await uow.watches.save(watch)
        await uow.progress.record(SLA_WATCH, event)

    return watch_on_package_event


async def load_watches(events: Sequence[EventEnvelope], uow: SlaUnitOfWork) -> None:
    """Before a batch: its packages' watches, in one go."""
    await uow.watches.get_many({event.aggregate_id for event in events})


async def _raise(uow: SlaUnitOfWork, watch: SlaWatch, breach: Breach, now: datetime) -> bool:
    """Keep the breach and record its event, unless it was raised already."""
    kept = await uow.breaches.add(SlaBreach.detect(watch, breach, now))
    if kept:
        log.info("SLA breached", package_id=watch.package_id, kind=breach.kind.value)
    return kept


def _new_watch(event: EventEnvelope) -> SlaWatch:
    return SlaWatch(package_id=event.aggregate_id, reservation_id=text(event, "reservationId"))


def _fact_of(event: EventEnvelope) -> PackageFact:
    step = Step(event.name.removeprefix(_PACKAGE))
    return PackageFact(
        # Registrations recorded before packages had versions were the first.
        version=version(event, default=1 if step is Step.REGISTERED else None),
        step=step,
        occurred_on=event.occurred_on,
        carrier=text(event, "carrier") if step is Step.DISPATCHED else None,
    )


class SlaMonitor:
    """Raises the time-based breaches that fell due, every ``interval`` seconds. Several
    replicas may sweep at once: each breach is kept once, its event recorded once."""

    def __init__(
        self,
        unit_of_work: Callable[[Causation], SlaUnitOfWork],
        policy: SlaPolicy,
        *,
        interval: float,
        batch: int = 200,
    ) -> None:
        self._unit_of_work, self._policy = unit_of_work, policy
        self._interval, self._batch = interval, batch

    async def sweep(self, now: datetime | None = None) -> tuple[int, int]:
        """Raise what is due at ``now``: the watches looked at, and the breaches raised."""
        moment = now or _utc_now()

        async def attempt() -> tuple[int, int]:
            async with self._unit_of_work(Causation()) as uow:
                due = await uow.watches.overdue(self._policy.cutoffs(moment), self._batch)
                raised = 0
                # In package order, so that racing monitors insert in the same order.
                for watch in sorted(due, key=lambda w: w.package_id):
                    breach = watch.overdue(self._policy, moment)
                    if breach is None:
                        continue
                    if await _raise(uow, watch, breach, moment):
                        raised += 1
                        # The watch's next revision: a subscriber that read the one before
                        # retries on this one, and never reopens the kind.
                        await uow.watches.save(watch.having_raised(breach.kind))
                await uow.commit()
                return len(due), raised

        return await retry_on_concurrent_modification(attempt)

    async def run(self) -> None:
        """Sweep until cancelled; a failed sweep (the database away, say) is logged and
        tried again next time."""
        while True:
            try:
                looked_at, raised = await self.sweep()
                if looked_at == self._batch and raised:
                    continue  # more may be due
            except Exception as error:
                log.warning("SLA sweep failed", error=repr(error))
            await asyncio.sleep(self._interval)
