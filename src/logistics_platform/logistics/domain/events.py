"""Events recorded by the Logistics context."""

from dataclasses import dataclass
from typing import ClassVar

from logistics_platform.shared.domain.events import DomainEvent


@dataclass(frozen=True, kw_only=True)
class PackageRegistered(DomainEvent):
    """Attributes: ``id``, ``trackingNumber``, ``reservationId``."""

    EVENT_NAME: ClassVar[str] = "logistics.package.registered"

    tracking_number: str
    reservation_id: str
