"""The watch handler and the monitor on in-memory ports: repeated failures at once and
once, time-based kinds when due and once."""

from datetime import timedelta

from logistics_platform.backoffice.application.sla import SlaMonitor, watching
from logistics_platform.backoffice.domain.sla import SlaPolicy, Step
from logistics_platform.shared.application.envelope import EventEnvelope
from tests.fakes.sla import FakeSlaUnitOfWork
from tests.mothers.sla import HOUR, T0, package_event

POLICY = SlaPolicy(registered_max=timedelta(hours=24))
S = Step


async def handle(uow: FakeSlaUnitOfWork, *events: EventEnvelope) -> None:
    handler = watching(POLICY, clock=lambda: T0 + 100 * HOUR)
    for event in events:
        await handler(event, uow)
        await uow.commit()


def kinds(uow: FakeSlaUnitOfWork) -> list[tuple[str, object]]:
    return [(e.aggregate_id, e.to_primitives()["kind"]) for e in uow.events]


async def test_the_failure_reaching_the_limit_raises_repeated_failures_once() -> None:
    uow = FakeSlaUnitOfWork()
    steps = [S.REGISTERED, S.DISPATCHED, S.DELIVERY_FAILED, S.DISPATCHED, S.DELIVERY_FAILED]
    events = [package_event(s, "p-1", v, on=T0 + v * HOUR) for v, s in enumerate(steps, 1)]
    await handle(uow, *events[:4])
    assert uow.events == []
    await handle(uow, events[4], events[4], events[2])
    assert kinds(uow) == [("p-1", "repeated_failures")]
    (event,) = uow.events
    assert event.to_primitives()["detectedAt"] == "2026-01-05T04:00:00.000000Z"


async def test_the_monitor_raises_what_fell_due_once() -> None:
    uow = FakeSlaUnitOfWork()
    await handle(uow, package_event(S.REGISTERED, "p-1", 1, on=T0))
    monitor = SlaMonitor(lambda _: uow, POLICY, interval=1)
    assert await monitor.sweep(T0 + 23 * HOUR) == (0, 0)
    assert await monitor.sweep(T0 + 24 * HOUR) == (1, 1)
    assert await monitor.sweep(T0 + 48 * HOUR) == (0, 0)
    assert kinds(uow) == [("p-1", "stuck_registered")]
