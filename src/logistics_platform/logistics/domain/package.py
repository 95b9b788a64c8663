"""The Package aggregate: what ships for one reservation, and its tracking number."""

import enum
import re
import secrets
from dataclasses import dataclass

from logistics_platform.logistics.domain.events import PackageRegistered
from logistics_platform.shared.domain.aggregate import AggregateRoot
from logistics_platform.shared.domain.errors import InvalidArgument
from logistics_platform.shared.domain.identifiers import Uuid

_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
_TRACKING_NUMBER = re.compile(r"[A-Z0-9]{10}")


class PackageId(Uuid):
    pass


@dataclass(frozen=True, slots=True)
class TrackingNumber:
    """Ten characters from A-Z and 0-9, drawn with a CSPRNG (36**10, about 3.7e15 values)."""

    value: str

    def __post_init__(self) -> None:
        if not isinstance(self.value, str) or not _TRACKING_NUMBER.fullmatch(self.value):
            raise InvalidArgument("a tracking number is 10 characters from A-Z and 0-9")

    @classmethod
    def generate(cls) -> "TrackingNumber":
        return cls("".join(secrets.choice(_ALPHABET) for _ in range(10)))


class PackageStatus(enum.StrEnum):
    REGISTERED = "registered"
    IN_TRANSIT = "in_transit"
    DELIVERED = "delivered"
    DELIVERY_FAILED = "delivery_failed"
    RETURNED = "returned"


class Package(AggregateRoot):
    def __init__(
        self,
        *,
        id: PackageId,
        tracking_number: TrackingNumber,
        reservation_id: str,
        status: PackageStatus = PackageStatus.REGISTERED,
        version: int = 0,
    ) -> None:
        super().__init__(version=version)
        self.id = id
        self.tracking_number = tracking_number
        self.reservation_id = reservation_id
        self.status = status

    @classmethod
    def register(
        cls, id: PackageId, tracking_number: TrackingNumber, reservation_id: str
    ) -> "Package":
        """A new package for a reservation, with status ``registered``."""
        if not reservation_id:
            raise InvalidArgument("a package needs the reservation it ships")
        package = cls(id=id, tracking_number=tracking_number, reservation_id=reservation_id)
        package.record(
            PackageRegistered(
                aggregate_id=id.value,
                tracking_number=tracking_number.value,
                reservation_id=reservation_id,
            )
        )
        return package
