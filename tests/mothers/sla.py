"""Packages' lives as the SLA watch sees them: facts, one per package version."""

from datetime import UTC, datetime, timedelta

from logistics_platform.backoffice.domain.sla import PackageFact, SlaWatch, Step

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
