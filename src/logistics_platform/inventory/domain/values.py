"""Inventory's value objects: identifiers and amounts, each valid once created."""

import re
from dataclasses import dataclass

from logistics_platform.shared.domain.errors import InvalidArgument
from logistics_platform.shared.domain.identifiers import Uuid
from logistics_platform.shared.domain.text import clean_text

MAX_UNITS = 1_000_000_000
MAX_NAME_LENGTH = 200
MAX_REASON_LENGTH = 200
MAX_TTL_SECONDS = 2_592_000  # 30 days
_OPERATION_ID = re.compile(r"[A-Za-z0-9\-_.:]{1,100}")
_WAREHOUSE = re.compile(r"[A-Z0-9-]{1,20}")
_SKU = re.compile(r"[A-Za-z0-9\-_.]{1,64}")


class StockItemId(Uuid):
    pass


@dataclass(frozen=True, slots=True)
class StockItemName:
    value: str

    def __post_init__(self) -> None:
        trimmed = clean_text(self.value, field="name", max_length=MAX_NAME_LENGTH)
        object.__setattr__(self, "value", trimmed)


@dataclass(frozen=True, slots=True, order=True)
class Quantity:
    """A whole number of units between 0 and one billion."""

    value: int

    def __post_init__(self) -> None:
        if type(self.value) is not int or not 0 <= self.value <= MAX_UNITS:
            raise InvalidArgument(f"quantity must be a whole number from 0 to {MAX_UNITS}")

    def __add__(self, other: "Quantity") -> "Quantity":
        return Quantity(self.value + other.value)

    def __sub__(self, other: "Quantity") -> "Quantity":
        return Quantity(self.value - other.value)


def _operation_id(value: object, field: str) -> None:
    if not isinstance(value, str) or not _OPERATION_ID.fullmatch(value):
        raise InvalidArgument(f"{field} must be 1 to 100 letters, digits or the characters - _ . :")


@dataclass(frozen=True, slots=True)
class ReservationId:
    """1 to 100 letters, digits or ``-_.:`` (e.g. ``order-12345``)."""

    value: str

    def __post_init__(self) -> None:
        _operation_id(self.value, "reservationId")


@dataclass(frozen=True, slots=True)
class ReceiptId:
    """The delivery note a replenishment comes with (written like a reservation id)."""

    value: str

    def __post_init__(self) -> None:
        _operation_id(self.value, "receiptId")


@dataclass(frozen=True, slots=True)
class CountId:
    """The stock count an adjustment comes from (written like a reservation id)."""

    value: str

    def __post_init__(self) -> None:
        _operation_id(self.value, "countId")


@dataclass(frozen=True, slots=True)
class Warehouse:
    """A warehouse code: 1 to 20 capital letters, digits or dashes (``MAIN`` by default)."""

    value: str = "MAIN"

    def __post_init__(self) -> None:
        if not isinstance(self.value, str) or not _WAREHOUSE.fullmatch(self.value):
            raise InvalidArgument("warehouse must be 1 to 20 capital letters, digits or dashes")


@dataclass(frozen=True, slots=True)
class Sku:
    """A stock keeping unit: 1 to 64 letters, digits or ``-_.``, unique in its warehouse."""

    value: str

    def __post_init__(self) -> None:
        if not isinstance(self.value, str) or not _SKU.fullmatch(self.value):
            raise InvalidArgument("sku must be 1 to 64 letters, digits or the characters - _ .")


def reason_text(value: object) -> str:
    """A reason an operator gives (1 to 200 characters of printable text)."""
    return clean_text(value, field="reason", max_length=MAX_REASON_LENGTH)
