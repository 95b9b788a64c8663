"""The StockItem aggregate: units available, held by reservations and shipped, and the rules.

Invariant: units ever received (initial + replenished ± counted) = available + reserved +
shipped. Every change counts one step of ``version`` (the events that need an order carry
the version after their change), and the reservations, receipts and counts it touched are
kept until the repository stores them with the item.
"""

from datetime import datetime

from logistics_platform.inventory.domain.events import (
    ReservationCommitRefused,
    ReservationCommitted,
    ReservationExpired,
    ReservationReleased,
    StockItemAdded,
    StockItemAdjusted,
    StockItemLowStock,
    StockItemLowStockCleared,
    StockItemReplenished,
    StockItemReserved,
    StockItemRestocked,
)
from logistics_platform.inventory.domain.records import (
    COMMIT_REFUSED,
    Count,
    OperationConflict,
    Receipt,
    Reservation,
    ReservationAlreadyCommitted,
    ReservationConflict,
    ReservationStatus,
)
from logistics_platform.inventory.domain.values import (
    MAX_NAME_LENGTH,
    MAX_UNITS,
    CountId,
    Quantity,
    ReceiptId,
    ReservationId,
    Sku,
    StockItemId,
    StockItemName,
    Warehouse,
)
from logistics_platform.shared.domain.aggregate import AggregateRoot
from logistics_platform.shared.domain.errors import Conflict, InvalidArgument, NotFound

__all__ = [
    "MAX_NAME_LENGTH",
    "MAX_UNITS",
    "InsufficientStock",
    "Quantity",
    "Reservation",
    "ReservationConflict",
    "ReservationId",
    "StockItem",
    "StockItemAlreadyExists",
    "StockItemId",
    "StockItemName",
    "StockItemNotFound",
]


NONE = Quantity(0)
MAIN = Warehouse()


class StockItemNotFound(NotFound):
    def __init__(self, stock_item_id: StockItemId) -> None:
        super().__init__(f"stock item {stock_item_id} does not exist")


class StockItemAlreadyExists(Conflict):
    def __init__(self, stock_item_id: StockItemId) -> None:
        super().__init__(f"stock item {stock_item_id} already exists")


class SkuAlreadyUsed(Conflict):
    title = "SKU already used"

    def __init__(self, sku: str, warehouse: str) -> None:
        super().__init__(f"sku {sku} is already used in warehouse {warehouse}")


class InsufficientStock(Conflict):
    title = "Insufficient stock"


class CapacityExceeded(Conflict):
    """A valid request that the item's current stock cannot take (409, not 422)."""

    title = "Capacity exceeded"


class StockItem(AggregateRoot):
    """Stock of one item in one warehouse; never negative."""

    def __init__(
        self,
        *,
        id: StockItemId,
        name: StockItemName,
        available: Quantity,
        reserved: Quantity,
        shipped: Quantity = NONE,
        warehouse: Warehouse = MAIN,
        sku: Sku | None = None,
        low_stock_threshold: Quantity = NONE,
        version: int = 0,
    ) -> None:
        super().__init__(version=version)
        self.id, self.name, self.warehouse, self.sku = id, name, warehouse, sku
        self.available, self.reserved, self.shipped = available, reserved, shipped
        self.low_stock_threshold = low_stock_threshold
        self.changes = 0  # steps of version not stored yet
        self.touched: dict[ReservationId, Reservation] = {}
        self.new_reservation_ids: set[ReservationId] = set()
        self.new_records: list[Receipt | Count] = []

    @classmethod
    def add(
        cls,
        id: StockItemId,
        name: StockItemName,
        quantity: Quantity,
        *,
        warehouse: Warehouse = MAIN,
        sku: Sku | None = None,
        low_stock_threshold: Quantity = NONE,
    ) -> "StockItem":
        """Create a stock item with ``quantity`` units available."""
        item = cls(
            id=id,
            name=name,
            available=quantity,
            reserved=Quantity(0),
            warehouse=warehouse,
            sku=sku,
            low_stock_threshold=low_stock_threshold,
        )
        item.record(
            StockItemAdded(
                aggregate_id=id.value,
                name=name.value,
                quantity=quantity.value,
                warehouse=warehouse.value,
                sku=sku.value if sku else None,
                low_stock_threshold=low_stock_threshold.value,
            )
        )
        if quantity < low_stock_threshold:
            item.record(item._low_stock_event(StockItemLowStock))
        return item

    @property
    def on_hand(self) -> Quantity:
        return self.available + self.reserved

    @property
    def is_low_on_stock(self) -> bool:
        return self.available < self.low_stock_threshold

    @property
    def new_reservations(self) -> list[Reservation]:
        return [r for id, r in self.touched.items() if id in self.new_reservation_ids]

    @property
    def changed_reservations(self) -> list[Reservation]:
        """Reservations stored before and changed since (each with the version it was read at)."""
        return [r for id, r in self.touched.items() if id not in self.new_reservation_ids]

    def stored(self) -> None:
        """The repository stored the changes: forget them."""
        self.version += self.changes
        self.changes = 0
        self.touched.clear()
        self.new_reservation_ids.clear()
        self.new_records.clear()

    def reserve(
        self,
        quantity: Quantity,
        reservation_id: ReservationId,
        *,
        existing: Reservation | None = None,
        expires_at: datetime | None = None,
    ) -> None:
        """Hold ``quantity`` available units for ``reservation_id`` (until ``expires_at``).

        ``existing`` is whatever is already recorded under that reservation id. Repeating
        the very same reservation changes nothing; reusing the id for anything else is a
        conflict; asking for more than is available is refused.
        """
        requested = Reservation(self.id, reservation_id, quantity, expires_at=expires_at)
        if existing is not None:
            if existing.has_terms_of(requested):
                return
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
        before = self.available
        self.available -= quantity
        self.reserved += quantity
        self.touched[reservation_id] = requested
        self.new_reservation_ids.add(reservation_id)
        self.record(
            StockItemReserved(
                aggregate_id=self.id.value,
                quantity=quantity.value,
                reservation_id=reservation_id.value,
                expires_at=expires_at.isoformat() if expires_at else None,
            )
        )
        self._changed(before)

    def replenish(
        self, quantity: Quantity, receipt_id: ReceiptId, *, existing: Receipt | None = None
    ) -> None:
        """Receive ``quantity`` units under ``receipt_id``: once per receipt."""
        receipt = Receipt(self.id, receipt_id, quantity)
        if existing == receipt:
            return
        if existing is not None:
            raise OperationConflict(f"receipt {receipt_id.value} was booked with other terms")
        if quantity.value == 0:
            raise InvalidArgument("quantity to replenish must be greater than zero")
        if self.on_hand.value + self.shipped.value + quantity.value > MAX_UNITS:
            raise CapacityExceeded(f"a stock item holds at most {MAX_UNITS} units")
        before = self.available
        self.available += quantity
        self.new_records.append(receipt)
        self.record(
            StockItemReplenished(
                aggregate_id=self.id.value, quantity=quantity.value, receipt_id=receipt_id.value
            )
        )
        self._changed(before)

    def adjust(
        self, on_hand: Quantity, reason: str, count_id: CountId, *, existing: Count | None = None
    ) -> None:
        """Set on-hand to what a count found (never below the units reserved): once per count."""
        if existing is not None:
            if (existing.stock_item_id, existing.on_hand) == (self.id, on_hand):
                return
            raise OperationConflict(f"count {count_id.value} was booked with other terms")
        if on_hand < self.reserved:
            raise Conflict(
                f"a count of {on_hand.value} is below the {self.reserved.value} units reserved"
            )
        before, delta = self.available, on_hand.value - self.on_hand.value
        self.available = on_hand - self.reserved
        self.new_records.append(Count(self.id, count_id, on_hand, reason))
        self.record(
            StockItemAdjusted(
                aggregate_id=self.id.value,
                on_hand=on_hand.value,
                delta=delta,
                reason=reason,
                count_id=count_id.value,
            )
        )
        self._changed(before)

    def release(self, reservation: Reservation, *, reason: str | None = None) -> None:
        """Give up a held reservation: its units are available again. Released or expired
        already: nothing changes. Committed (its package left): refused."""
        reservation = self._current(reservation)
        if reservation.status is ReservationStatus.COMMITTED:
            raise ReservationAlreadyCommitted(reservation.reservation_id)
        if reservation.is_held:
            self._give_back(reservation, ReservationStatus.RELEASED)
            self.record(
                ReservationReleased(
                    aggregate_id=self.id.value,
                    reservation_id=reservation.reservation_id.value,
                    quantity=reservation.quantity.value,
                    reason=reason,
                )
            )

    def expire(self, reservation: Reservation, now: datetime) -> None:
        """Release a held reservation past its expiry; otherwise nothing changes."""
        reservation = self._current(reservation)
        if reservation.is_due(now):
            self._give_back(reservation, ReservationStatus.EXPIRED)
            self.record(
                ReservationExpired(
                    aggregate_id=self.id.value,
                    reservation_id=reservation.reservation_id.value,
                    quantity=reservation.quantity.value,
                )
            )

    def commit(self, reservation: Reservation) -> None:
        """Its package left: held units become shipped. Committed already: nothing. Given up
        already: the commit is refused once, and the reservation shows it (``problem``)."""
        reservation = self._current(reservation)
        if reservation.is_given_up and reservation.problem is None:
            self._touch(reservation.but(problem=COMMIT_REFUSED))
            self.record(
                ReservationCommitRefused(
                    aggregate_id=self.id.value,
                    reservation_id=reservation.reservation_id.value,
                    status=reservation.status.value,
                    reason=f"the package left after the reservation was {reservation.status}",
                )
            )
            self._changed(self.available)
        if not reservation.is_held:
            return
        self.reserved -= reservation.quantity
        self.shipped += reservation.quantity
        self._touch(reservation.but(status=ReservationStatus.COMMITTED))
        self.record(
            ReservationCommitted(
                aggregate_id=self.id.value,
                reservation_id=reservation.reservation_id.value,
                quantity=reservation.quantity.value,
            )
        )
        self._changed(self.available)

    def restock(self, reservation: Reservation) -> None:
        """Its package came back: shipped units are available again, once. Still held (the
        return was seen before the dispatch): committed and restocked together. Given up:
        its units never left the books, so nothing changes."""
        if self._current(reservation).is_held:
            self.commit(reservation)
        reservation = self._current(reservation)
        if reservation.status is not ReservationStatus.COMMITTED or reservation.restocked:
            return
        before = self.available
        self.shipped -= reservation.quantity
        self.available += reservation.quantity
        self._touch(reservation.but(restocked=True))
        self.record(
            StockItemRestocked(
                aggregate_id=self.id.value,
                quantity=reservation.quantity.value,
                reservation_id=reservation.reservation_id.value,
            )
        )
        self._changed(before)

    def _current(self, reservation: Reservation) -> Reservation:
        """The reservation as this item last left it (it may have changed it already)."""
        if reservation.stock_item_id != self.id:
            raise InvalidArgument(f"reservation {reservation.reservation_id.value} is elsewhere")
        return self.touched.get(reservation.reservation_id, reservation)

    def _touch(self, reservation: Reservation) -> None:
        self.touched[reservation.reservation_id] = reservation

    def _give_back(self, reservation: Reservation, status: ReservationStatus) -> None:
        before = self.available
        self.reserved -= reservation.quantity
        self.available += reservation.quantity
        self._touch(reservation.but(status=status))
        self._changed(before)

    def _changed(self, available_before: Quantity) -> None:
        """One more step of version; a low-stock event if available crossed the threshold."""
        self.changes += 1
        threshold = self.low_stock_threshold
        was_low, is_low = available_before < threshold, self.available < threshold
        if is_low and not was_low:
            self.record(self._low_stock_event(StockItemLowStock))
        elif was_low and not is_low:
            self.record(self._low_stock_event(StockItemLowStockCleared))

    def _low_stock_event(
        self, kind: type[StockItemLowStock | StockItemLowStockCleared]
    ) -> StockItemLowStock | StockItemLowStockCleared:
        return kind(
            aggregate_id=self.id.value,
            available=self.available.value,
            threshold=self.low_stock_threshold.value,
            version=self.version + self.changes,
        )
