"""Events recorded by the Backoffice context."""

from dataclasses import dataclass
from typing import ClassVar

from logistics_platform.shared.domain.events import DomainEvent


@dataclass(frozen=True, kw_only=True)
class PackageSlaBreached(DomainEvent):
    """A package broke a service level (``kind``: stuck_registered, stuck_in_transit or
    repeated_failures), raised once per package and kind. ``id`` is the package's; ``since``
    when the breached state began; ``thresholdSeconds`` the limit of the time-based kinds."""

    EVENT_NAME: ClassVar[str] = "backoffice.package_sla.breached"

    reservation_id: str
    tracking_number: str | None
    kind: str
    status: str
    carrier: str | None
    since: str
    threshold_seconds: float | None
    failures: int
    detected_at: str
