"""Events recorded by the Logistics context.

Each carries the package's ``version`` after it (1 at registration, +1 per event) and its
``reservationId``, so that a projection keyed by reservation can order what it sees.
"""

from dataclasses import dataclass
from typing import ClassVar

from logistics_platform.shared.domain.events import DomainEvent


@dataclass(frozen=True, kw_only=True)
class PackageRegistered(DomainEvent):
    """Attributes: ``id``, ``trackingNumber``, ``reservationId``, ``version`` (1)."""

    EVENT_NAME: ClassVar[str] = "logistics.package.registered"

    tracking_number: str
    reservation_id: str
    version: int = 1


@dataclass(frozen=True, kw_only=True)
class PackageDispatched(DomainEvent):
    """Handed to a carrier; ``attempt`` counts dispatches (2 after a failed delivery)."""

    EVENT_NAME: ClassVar[str] = "logistics.package.dispatched"

    reservation_id: str
    version: int
    carrier: str
    location: str
    attempt: int


@dataclass(frozen=True, kw_only=True)
class PackageCheckpointRecorded(DomainEvent):
    EVENT_NAME: ClassVar[str] = "logistics.package.checkpoint_recorded"

    reservation_id: str
    version: int
    location: str
    note: str | None = None


@dataclass(frozen=True, kw_only=True)
class PackageDelivered(DomainEvent):
    EVENT_NAME: ClassVar[str] = "logistics.package.delivered"

    reservation_id: str
    version: int
    signed_by: str
    location: str | None = None


@dataclass(frozen=True, kw_only=True)
class PackageDeliveryFailed(DomainEvent):
    EVENT_NAME: ClassVar[str] = "logistics.package.delivery_failed"

    reservation_id: str
    version: int
    reason: str
    location: str | None = None


@dataclass(frozen=True, kw_only=True)
class PackageReturned(DomainEvent):
    EVENT_NAME: ClassVar[str] = "logistics.package.returned"

    reservation_id: str
    version: int
    reason: str


@dataclass(frozen=True, kw_only=True)
class PackageCancelled(DomainEvent):
    EVENT_NAME: ClassVar[str] = "logistics.package.cancelled"

    reservation_id: str
    version: int
    reason: str | None = None


@dataclass(frozen=True, kw_only=True)
class PackageCancellationRefused(DomainEvent):
    """The reservation was released or expired, but the package had already left: a
    named state an operator resolves (``status`` is the package's, ``reason`` why)."""

    EVENT_NAME: ClassVar[str] = "logistics.package.cancellation_refused"

    reservation_id: str
    version: int
    status: str
    reason: str
