"""Values of the Logistics context: ids, tracking numbers, statuses, history entries."""

import enum
import re
import secrets
from dataclasses import dataclass
from datetime import datetime

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
        # One draw of the whole number, written in base 36: a draw per character costs a
        # system call each.
        number, characters = secrets.randbelow(len(_ALPHABET) ** 10), []
        for _ in range(10):
            number, digit = divmod(number, len(_ALPHABET))
            characters.append(_ALPHABET[digit])
        return cls("".join(characters))


class PackageStatus(enum.StrEnum):
    REGISTERED = "registered"
    IN_TRANSIT = "in_transit"
    DELIVERED = "delivered"
    DELIVERY_FAILED = "delivery_failed"
    RETURNED = "returned"
    CANCELLED = "cancelled"


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """One event of the package's life, as an operator reads it."""

    status: PackageStatus
    occurred_on: datetime
    location: str | None = None
    note: str | None = None
