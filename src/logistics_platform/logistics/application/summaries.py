"""What the Logistics API answers about a package: a snapshot, taken from the aggregate a
command just changed or read from the store."""

from dataclasses import dataclass
from datetime import datetime

from logistics_platform.logistics.domain.package import Package
from logistics_platform.logistics.domain.values import HistoryEntry


@dataclass(frozen=True, slots=True)
class PackageSummary:
    id: str
    tracking_number: str
    reservation_id: str
    status: str
    carrier: str | None
    last_location: str | None
    attempts: int
    history: list[HistoryEntry]
    cancellation_refused: str | None
    version: int

    @classmethod
    def of(cls, package: Package) -> "PackageSummary":
        """The package as it is now (later changes to it do not show through)."""
        return cls(
            id=package.id.value,
            tracking_number=package.tracking_number.value,
            reservation_id=package.reservation_id,
            status=package.status.value,
            carrier=package.carrier,
            last_location=package.last_location,
            attempts=package.attempts,
            history=list(package.history),
            cancellation_refused=package.cancellation_refused,
            version=package.version,
        )

    @property
    def created_at(self) -> datetime:
        return self.history[0].occurred_on

    @property
    def updated_at(self) -> datetime:
        return self.history[-1].occurred_on
