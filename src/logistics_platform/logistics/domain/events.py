"""Events recorded by the Logistics context."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar, Self

from logistics_platform.shared.domain.events import DomainEvent


@dataclass(frozen=True, kw_only=True)
class PackageRegistered(DomainEvent):
    EVENT_NAME: ClassVar[str] = "logistics.package.registered"

    tracking_number: str
    reservation_id: str

    def to_primitives(self) -> dict[str, Any]:
        return {
            "id": self.aggregate_id,
            "trackingNumber": self.tracking_number,
            "reservationId": self.reservation_id,
        }

    @classmethod
    def from_primitives(
        cls,
        *,
        aggregate_id: str,
        event_id: str,
        occurred_on: datetime,
        attributes: Mapping[str, Any],
    ) -> Self:
        return cls(
            aggregate_id=aggregate_id,
            event_id=event_id,
            occurred_on=occurred_on,
            tracking_number=str(attributes["trackingNumber"]),
            reservation_id=str(attributes["reservationId"]),
        )
