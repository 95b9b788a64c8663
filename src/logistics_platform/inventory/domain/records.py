"""What a stock item keeps under an operation id: reservations, receipts and counts.

Each id is used once; repeating an operation with the same terms is answered from its
record, and the same id with other terms is a conflict.
"""

import dataclasses
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from logistics_platform.inventory.domain.values import (
    CountId,
    Quantity,
    ReceiptId,
    ReservationId,
    StockItemId,
)
from logistics_platform.shared.domain.errors import Conflict, NotFound

COMMIT_REFUSED = "commit_refused"  # the package left after the reservation was given up


class ReservationStatus(StrEnum):
    HELD = "held"
    COMMITTED = "committed"
    RELEASED = "released"
    EXPIRED = "expired"


@dataclass(frozen=True, slots=True)
class Reservation:
    """Units of one stock item held for one reservation id, and what became of them.

    ``restocked``: the package came back and its units are available again.
    ``problem``: a reaction that can never succeed (e.g. ``commit_refused``).
    ``version``: changes stored so far (a save checks it)."""

    stock_item_id: StockItemId
    reservation_id: ReservationId
    quantity: Quantity
    status: ReservationStatus = ReservationStatus.HELD
    expires_at: datetime | None = None
    restocked: bool = False
    problem: str | None = None
    version: int = 0

    def has_terms_of(self, other: "Reservation") -> bool:
        return (self.stock_item_id, self.quantity) == (other.stock_item_id, other.quantity)

    @property
    def is_held(self) -> bool:
        return self.status is ReservationStatus.HELD

    @property
    def is_given_up(self) -> bool:
        """Released or expired: its units went back to available."""
        return self.status in (ReservationStatus.RELEASED, ReservationStatus.EXPIRED)

    def is_due(self, now: datetime) -> bool:
        """Held past its expiry."""
        return self.is_held and self.expires_at is not None and self.expires_at <= now

    def but(self, **changes: object) -> "Reservation":
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class Receipt:
    """Units received under a delivery note."""

    stock_item_id: StockItemId
    receipt_id: ReceiptId
    quantity: Quantity


@dataclass(frozen=True, slots=True)
class Count:
    """The on-hand a stock count found."""

    stock_item_id: StockItemId
    count_id: CountId
    on_hand: Quantity
    reason: str


class ReservationNotFound(NotFound):
    def __init__(self, reservation_id: ReservationId) -> None:
        super().__init__(f"reservation {reservation_id.value} does not exist")


class ReservationConflict(Conflict):
    title = "Reservation conflict"


class ReservationAlreadyCommitted(Conflict):
    title = "Reservation committed"

    def __init__(self, reservation_id: ReservationId) -> None:
        super().__init__(f"reservation {reservation_id.value} is committed: its package has left")


class OperationConflict(Conflict):
    """A receipt or count id used again with other terms."""

    title = "Operation conflict"
