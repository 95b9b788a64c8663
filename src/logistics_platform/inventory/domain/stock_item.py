"""The StockItem aggregate: units available, units held by reservations, and the rules."""

import re
from dataclasses import dataclass

from logistics_platform.inventory.domain.events import StockItemAdded, StockItemReserved
from logistics_platform.shared.domain.aggregate import AggregateRoot
from logistics_platform.shared.domain.errors import Conflict, InvalidArgument, NotFound
from logistics_platform.shared.domain.identifiers import Uuid

MAX_UNITS = 1_000_000_000
MAX_NAME_LENGTH = 200
_RESERVATION_ID = re.compile(r"[A-Za-z0-9\-_.:]{1,100}")


class StockItemId(Uuid):
    pass


@dataclass(frozen=True, slots=True)
class StockItemName:
    value: str

    def __post_init__(self) -> None:
        trimmed = self.value.strip() if isinstance(self.value, str) else ""
        if not 1 <= len(trimmed) <= MAX_NAME_LENGTH:
            raise InvalidArgument(f"name must be 1 to {MAX_NAME_LENGTH} characters")
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


@dataclass(frozen=True, slots=True)
class ReservationId:
    """1 to 100 letters, digits or ``-_.:`` (e.g. ``order-12345``)."""

    value: str

    def __post_init__(self) -> None:
        if not isinstance(self.value, str) or not _RESERVATION_ID.fullmatch(self.value):
            raise InvalidArgument(
                "reservationId must be 1 to 100 letters, digits or the characters - _ . :"
            )


@dataclass(frozen=True, slots=True)
class Reservation:
    """Units of one stock item held for one reservation id."""

    stock_item_id: StockItemId
    reservation_id: ReservationId
    quantity: Quantity


class StockItemNotFound(NotFound):
    def __init__(self, stock_item_id: StockItemId) -> None:
        super().__init__(f"stock item {stock_item_id} does not exist")


class StockItemAlreadyExists(Conflict):
    def __init__(self, stock_item_id: StockItemId) -> None:
        super().__init__(f"stock item {stock_item_id} already exists")


class InsufficientStock(Conflict):
    title = "Insufficient stock"


class ReservationConflict(Conflict):
    title = "Reservation conflict"


class StockItem(AggregateRoot):
    """Stock of one item. ``available`` can be reserved; ``reserved`` is held; never negative."""

    def __init__(
        self,
        *,
        id: StockItemId,
        name: StockItemName,
        available: Quantity,
        reserved: Quantity,
        version: int = 0,
    ) -> None:
        super().__init__(version=version)
        self.id = id
        self.name = name
        self.available = available
        self.reserved = reserved
        self.new_reservations: list[Reservation] = []

    @classmethod
    def add(cls, id: StockItemId, name: StockItemName, quantity: Quantity) -> "StockItem":
        """Create a stock item with ``quantity`` units available."""
        item = cls(id=id, name=name, available=quantity, reserved=Quantity(0))
        item.record(StockItemAdded(aggregate_id=id.value, name=name.value, quantity=quantity.value))
        return item

    @property
    def on_hand(self) -> Quantity:
        return self.available + self.reserved

    def reserve(
        self,
        quantity: Quantity,
        reservation_id: ReservationId,
        *,
        existing: Reservation | None = None,
    ) -> None:
        """Hold ``quantity`` available units for ``reservation_id``.

        ``existing`` is whatever is already recorded under that reservation id. Repeating
        the very same reservation changes nothing; reusing the id for anything else is a
        conflict; asking for more than is available is refused.
        """
        requested = Reservation(self.id, reservation_id, quantity)
        if existing == requested:
            return
        if existing is not None:
            raise ReservationConflict(
                f"reservation {reservation_id.value} already exists with other terms"
            )
        if quantity.value == 0:
            raise InvalidArgument("quantity to reserve must be greater than zero")
        if quantity > self.available:
            raise InsufficientStock(
                f"cannot reserve {quantity.value} units of {self.id}: "
                f"only {self.available.value} available"
            )
        self.available -= quantity
        self.reserved += quantity
        self.new_reservations.append(requested)
        self.record(
            StockItemReserved(
                aggregate_id=self.id.value,
                quantity=quantity.value,
                reservation_id=reservation_id.value,
            )
        )
