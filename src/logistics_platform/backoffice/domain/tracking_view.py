"""The tracking view: what the backoffice knows about one reservation, built from events.

Every change is a pure function of the current view and one fact, designed so that any
arrival order, with any duplicates, ends in the same view: plain fields are only ever
filled in, the timeline keeps one entry per event, and whatever follows the package (its
status, carrier, last location) is read from the timeline's latest package ``version``.
"""

import enum
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import TypeVar

T = TypeVar("T")


class TrackingStatus(enum.StrEnum):
    RESERVED = "reserved"
    REGISTERED = "registered"
    IN_TRANSIT = "in_transit"
    DELIVERY_FAILED = "delivery_failed"
    DELIVERED = "delivered"
    RETURNED = "returned"
    CANCELLED = "cancelled"


class ReservationStatus(enum.StrEnum):
    """The reservation as Inventory last told it (a later state wins over an earlier one)."""

    HELD = "held"
    COMMITTED = "committed"
    RELEASED = "released"
    EXPIRED = "expired"
    COMMIT_REFUSED = "commit_refused"


# Reservations move held → committed, or held → released/expired (→ commit_refused when a
# package left anyway): the furthest state seen is the current one, whatever the order.
_RESERVATION_RANK = {
    ReservationStatus.HELD: 0,
    ReservationStatus.COMMITTED: 1,
    ReservationStatus.RELEASED: 2,
    ReservationStatus.EXPIRED: 2,
    ReservationStatus.COMMIT_REFUSED: 3,
}
_RANK = {status: rank for rank, status in enumerate(TrackingStatus)}
RESERVATION_VERSION = 0  # the reservation's entry comes before the package's (version 1…)


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    """One event in the package's life: ``version`` is the package's after it (0 for the
    reservation itself); ``carrier`` is set on dispatches."""

    occurred_on: datetime
    status: TrackingStatus
    version: int = RESERVATION_VERSION
    event_id: str | None = None
    location: str | None = None
    note: str | None = None
    carrier: str | None = None

    @property
    def fact(self) -> tuple[int, TrackingStatus]:
        """What the entry records: a package version is one event (entries stored before
        event ids were kept are recognised by it too)."""
        return self.version, self.status

    @property
    def order(self) -> tuple[int, int, datetime, str]:
        return self.version, _RANK[self.status], self.occurred_on, self.event_id or ""


@dataclass(frozen=True, slots=True)
class CancellationRefused:
    """The reservation went away, but the package had already left (``status``)."""

    occurred_on: datetime
    status: str
    reason: str


@dataclass(frozen=True, slots=True)
class TrackingView:
    reservation_id: str
    stock_item_id: str | None = None
    stock_item_name: str | None = None
    warehouse: str | None = None
    reserved_quantity: int | None = None
    package_id: str | None = None
    tracking_number: str | None = None
    timeline: tuple[TimelineEntry, ...] = ()
    signed_by: str | None = None
    reservation_status: ReservationStatus | None = None
    cancellation_refused: CancellationRefused | None = None
    version: int = field(default=0, compare=False)

    @property
    def status(self) -> TrackingStatus:
        """The package's latest status by version (``reserved`` until a package is seen)."""
        latest = self._latest_package_entry()
        return TrackingStatus.RESERVED if latest is None else latest.status

    @property
    def carrier(self) -> str | None:
        """The carrier of the latest dispatch."""
        return next((e.carrier for e in reversed(self.timeline) if e.carrier), None)

    @property
    def last_location(self) -> str | None:
        return next((e.location for e in reversed(self.timeline) if e.location), None)

    @property
    def attempts(self) -> int:
        """Dispatches so far."""
        return sum(1 for entry in self.timeline if entry.carrier is not None)

    @property
    def failures(self) -> int:
        """Delivery attempts that failed."""
        return sum(1 for e in self.timeline if e.status is TrackingStatus.DELIVERY_FAILED)

    @property
    def delivered_at(self) -> datetime | None:
        return self.reached_on(TrackingStatus.DELIVERED)

    @property
    def created_at(self) -> datetime | None:
        return min((entry.occurred_on for entry in self.timeline), default=None)

    @property
    def updated_at(self) -> datetime | None:
        return max((entry.occurred_on for entry in self.timeline), default=None)

    def reached_on(self, status: TrackingStatus) -> datetime | None:
        """When the view first reached ``status`` (``None`` if it has not)."""
        return min((e.occurred_on for e in self.timeline if e.status == status), default=None)

    def time_from_reservation_to(self, status: TrackingStatus) -> timedelta | None:
        """How long after the reservation ``status`` was reached, once both are known."""
        return self.time_between(TrackingStatus.RESERVED, status)

    def time_between(self, first: TrackingStatus, then: TrackingStatus) -> timedelta | None:
        """How long after ``first`` was reached ``then`` was, once both are known."""
        start, end = self.reached_on(first), self.reached_on(then)
        return None if start is None or end is None else end - start

    def reserved(
        self,
        *,
        stock_item_id: str,
        quantity: int,
        stock_item_name: str | None,
        on: datetime,
        event_id: str | None = None,
        warehouse: str | None = None,
    ) -> "TrackingView":
        """The reservation itself was seen (it is held until Inventory says otherwise);
        the item's name and warehouse come along once the catalog knows the item."""
        return (
            replace(
                self,
                stock_item_id=_keep(self.stock_item_id, stock_item_id),
                reserved_quantity=_keep(self.reserved_quantity, quantity),
                stock_item_name=_keep(self.stock_item_name, stock_item_name),
                warehouse=_keep(self.warehouse, warehouse),
            )
            .reservation_became(ReservationStatus.HELD)
            ._with(TimelineEntry(on, TrackingStatus.RESERVED, event_id=event_id))
        )

    def named(self, stock_item_name: str, *, warehouse: str | None = None) -> "TrackingView":
        """The stock item became known: its name and the warehouse it is kept in."""
        return replace(
            self,
            stock_item_name=_keep(self.stock_item_name, stock_item_name),
            warehouse=_keep(self.warehouse, warehouse),
        )

    def package_registered(
        self,
        *,
        package_id: str,
        tracking_number: str,
        on: datetime,
        event_id: str | None = None,
        version: int = 1,
    ) -> "TrackingView":
        """A package now ships this reservation."""
        return replace(
            self,
            package_id=_keep(self.package_id, package_id),
            tracking_number=_keep(self.tracking_number, tracking_number),
        )._with(TimelineEntry(on, TrackingStatus.REGISTERED, version, event_id))

    def package_moved(self, entry: TimelineEntry, *, package_id: str) -> "TrackingView":
        """A lifecycle event of the package (dispatched, checkpoint, failed, returned,
        cancelled; a delivery goes through :meth:`package_delivered`)."""
        return replace(self, package_id=_keep(self.package_id, package_id))._with(entry)

    def package_delivered(
        self, entry: TimelineEntry, *, package_id: str, signed_by: str
    ) -> "TrackingView":
        """Delivered, signed for by ``signed_by`` (a package is delivered at most once)."""
        moved = self.package_moved(entry, package_id=package_id)
        return replace(moved, signed_by=_keep(self.signed_by, signed_by))

    def reservation_became(self, status: ReservationStatus) -> "TrackingView":
        """Inventory moved the reservation on (a state never goes back to an earlier one)."""
        known = self.reservation_status
        if known is not None and _reservation_order(known) >= _reservation_order(status):
            return self
        return replace(self, reservation_status=status)

    def cancellation_was_refused(self, refusal: CancellationRefused) -> "TrackingView":
        """Logistics could not cancel the package (it had left): kept for the operator."""
        known = self.cancellation_refused
        if known is not None and _refusal_order(known) <= _refusal_order(refusal):
            return self
        return replace(self, cancellation_refused=refusal)

    def _with(self, entry: TimelineEntry) -> "TrackingView":
        entries = {known.fact: known for known in self.timeline}
        known = entries.get(entry.fact)
        if known is None or _first_seen(entry) < _first_seen(known):
            entries[entry.fact] = entry
        return replace(self, timeline=tuple(sorted(entries.values(), key=lambda e: e.order)))

    def _latest_package_entry(self) -> TimelineEntry | None:
        package = [e for e in self.timeline if e.version > RESERVATION_VERSION]
        return max(package, key=lambda e: e.order, default=None)


def _keep(known: T | None, learned: T | None) -> T | None:
    """Facts only fill blanks: the first value learned for a field stays."""
    return known if known is not None else learned


def _first_seen(entry: TimelineEntry) -> tuple[bool, datetime, str]:
    """Which of two entries of one fact stays: one with an event id, then the earliest."""
    return entry.event_id is None, entry.occurred_on, entry.event_id or ""


def _reservation_order(status: ReservationStatus) -> tuple[int, str]:
    return _RESERVATION_RANK[status], status.value


def _refusal_order(refusal: CancellationRefused) -> tuple[datetime, str, str]:
    return refusal.occurred_on, refusal.status, refusal.reason
