"""Packages' lives as the SLA watch sees them: facts, one per package version."""

import uuid
from datetime import UTC, datetime, timedelta

from logistics_platform.backoffice.domain.sla import PackageFact, SlaWatch, Step
from logistics_platform.shared.application.envelope import EventEnvelope

T0 = datetime(2026, 1, 1, tzinfo=UTC)
HOUR = timedelta(hours=1)


def life(*steps: Step, carrier: str = "DHL", every: timedelta = HOUR) -> list[PackageFact]:
    """Facts for ``steps`` from registration (version 1) on, one every ``every``."""
    return [
        PackageFact(
            version=version,
            step=step,
            occurred_on=T0 + (version - 1) * every,
            carrier=carrier if step is Step.DISPATCHED else None,
        )
        for version, step in enumerate((Step.REGISTERED, *steps), start=1)
    ]


def watched(facts: list[PackageFact], package_id: str = "p-1") -> SlaWatch:
    watch = SlaWatch(package_id=package_id, reservation_id=f"order-{package_id}")
    for fact in facts:
        watch = watch.observe(fact, tracking_number="ABCDE12345" if fact.version == 1 else None)
    return watch


def package_event(
    step: Step,
    package_id: str,
    version: int,
    *,
    on: datetime = T0,
    carrier: str = "DHL",
    reservation_id: str | None = None,
) -> EventEnvelope:
    """A Logistics package event as it is published (the attributes the watch reads)."""
    attributes: dict[str, object] = {
        "id": package_id,
        "reservationId": reservation_id or f"order-{package_id}",
        "version": version,
    }
    if step is Step.REGISTERED:
        attributes["trackingNumber"] = package_id.replace("-", "")[:10].upper()
    if step is Step.DISPATCHED:
        attributes |= {"carrier": carrier, "location": "Warehouse", "attempt": 1}
    return EventEnvelope(
        event_id=str(uuid.uuid4()),
        name=f"logistics.package.{step.value}",
        occurred_on=on,
        aggregate_id=package_id,
        attributes=attributes,
    )
