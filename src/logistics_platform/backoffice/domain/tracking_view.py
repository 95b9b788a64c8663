"""The tracking view: what the backoffice knows about one reservation, built from events.

Every change is a pure function of the current view and one fact, designed so that any
arrival order, with any duplicates, ends in the same view: fields are only ever filled in,
the timeline keeps one entry per status, and the status is the furthest one reached.
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


_PROGRESS = {status: rank for rank, status in enumerate(TrackingStatus)}


@dataclass(frozen=True, slots=True, order=True)
class TimelineEntry:
    occurred_on: datetime
    status: TrackingStatus


@dataclass(frozen=True, slots=True)
class TrackingView:
    reservation_id: str
    stock_item_id: str | None = None
    stock_item_name: str | None = None
    reserved_quantity: int | None = None
    package_id: str | None = None
    tracking_number: str | None = None
    timeline: tuple[TimelineEntry, ...] = ()
    version: int = field(default=0, compare=False)

    @property
    def status(self) -> TrackingStatus:
        """The furthest status reached (never moves backwards)."""
        if not self.timeline:
            return TrackingStatus.RESERVED
        return max((entry.status for entry in self.timeline), key=_PROGRESS.__getitem__)

    @property
    def created_at(self) -> datetime | None:
        return self.timeline[0].occurred_on if self.timeline else None

    @property
    def updated_at(self) -> datetime | None:
        return self.timeline[-1].occurred_on if self.timeline else None

    def reached_on(self, status: TrackingStatus) -> datetime | None:
        """When the view reached ``status`` (``None`` if it has not)."""
        return next((entry.occurred_on for entry in self.timeline if entry.status == status), None)

    def time_from_reservation_to(self, status: TrackingStatus) -> timedelta | None:
        """How long after the reservation ``status`` was reached, once both are known."""
        reserved, reached = self.reached_on(TrackingStatus.RESERVED), self.reached_on(status)
        return None if reserved is None or reached is None else reached - reserved

    def reserved(
        self, *, stock_item_id: str, quantity: int, stock_item_name: str | None, on: datetime
    ) -> "TrackingView":
        """The reservation itself was seen."""
        return replace(
            self,
            stock_item_id=_keep(self.stock_item_id, stock_item_id),
            reserved_quantity=_keep(self.reserved_quantity, quantity),
            stock_item_name=_keep(self.stock_item_name, stock_item_name),
        )._reached(TrackingStatus.RESERVED, on)

    def named(self, stock_item_name: str) -> "TrackingView":
        """The stock item's name became known."""
        return replace(self, stock_item_name=_keep(self.stock_item_name, stock_item_name))

    def package_registered(
        self, *, package_id: str, tracking_number: str, on: datetime
    ) -> "TrackingView":
        """A package now ships this reservation."""
        return replace(
            self,
            package_id=_keep(self.package_id, package_id),
            tracking_number=_keep(self.tracking_number, tracking_number),
        )._reached(TrackingStatus.REGISTERED, on)

    def _reached(self, status: TrackingStatus, on: datetime) -> "TrackingView":
        entries = {entry.status: entry for entry in self.timeline}
        known = entries.get(status)
        if known is None or on < known.occurred_on:
            entries[status] = TimelineEntry(on, status)
        return replace(self, timeline=tuple(sorted(entries.values())))


def _keep(known: T | None, learned: T | None) -> T | None:
    """Facts only fill blanks: the first value learned for a field stays."""
    return known if known is not None else learned
