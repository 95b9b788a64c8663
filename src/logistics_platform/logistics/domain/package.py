"""The Package aggregate: what ships for one reservation, its tracking number and its
delivery lifecycle (SPEC §6)."""

from collections.abc import Callable
from datetime import datetime

from logistics_platform.logistics.domain import events
from logistics_platform.logistics.domain.values import (
    HistoryEntry,
    PackageId,
    PackageStatus,
    TrackingNumber,
)
from logistics_platform.shared.domain.aggregate import AggregateRoot
from logistics_platform.shared.domain.errors import Conflict, InvalidArgument, NotFound
from logistics_platform.shared.domain.events import DomainEvent, utc_now
from logistics_platform.shared.domain.text import clean_text

S = PackageStatus
# Which statuses each command leaves from (SPEC §6); returned and cancelled are final.
_LEAVES_FROM: dict[str, frozenset[PackageStatus]] = {
    "dispatch": frozenset({S.REGISTERED, S.DELIVERY_FAILED}),
    "record a checkpoint for": frozenset({S.IN_TRANSIT}),
    "deliver": frozenset({S.IN_TRANSIT}),
    "fail": frozenset({S.IN_TRANSIT}),
    "return": frozenset({S.DELIVERY_FAILED, S.DELIVERED}),
    "cancel": frozenset({S.REGISTERED}),
}


class PackageNotFound(NotFound):
    def __init__(self, package_id: str) -> None:
        super().__init__(f"package {package_id} does not exist")


class IllegalTransition(Conflict):
    title = "Illegal transition"


def _text(value: str, field: str, longest: int, shortest: int = 1) -> str:
    return clean_text(value, field=field, max_length=longest, min_length=shortest)


def _optional(value: str | None, field: str, longest: int) -> str | None:
    return None if value is None else _text(value, field, longest, shortest=0) or None


class Package(AggregateRoot):
    """``version`` counts the package's events: 1 at registration, +1 per change."""

    def __init__(
        self,
        *,
        id: PackageId,
        tracking_number: TrackingNumber,
        reservation_id: str,
        status: PackageStatus,
        version: int,
        history: list[HistoryEntry],
        carrier: str | None = None,
        last_location: str | None = None,
        attempts: int = 0,
        cancellation_refused: str | None = None,
    ) -> None:
        super().__init__(version=version)
        self.id = id
        self.tracking_number = tracking_number
        self.reservation_id = reservation_id
        self.status = status
        self.history = history
        self.carrier = carrier
        self.last_location = last_location
        self.attempts = attempts
        self.cancellation_refused = cancellation_refused

    @property
    def created_at(self) -> datetime:
        return self.history[0].occurred_on

    @property
    def updated_at(self) -> datetime:
        return self.history[-1].occurred_on

    @classmethod
    def register(
        cls, id: PackageId, tracking_number: TrackingNumber, reservation_id: str
    ) -> "Package":
        """A new package for a reservation, with status ``registered``."""
        if not reservation_id:
            raise InvalidArgument("a package needs the reservation it ships")
        now = utc_now()
        package = cls(
            id=id,
            tracking_number=tracking_number,
            reservation_id=reservation_id,
            status=S.REGISTERED,
            version=1,
            history=[HistoryEntry(S.REGISTERED, now)],
        )
        package.record(
            events.PackageRegistered(
                aggregate_id=id.value,
                occurred_on=now,
                tracking_number=tracking_number.value,
                reservation_id=reservation_id,
            )
        )
        return package

    def dispatch(self, *, carrier: str, location: str) -> None:
        """Hand the package to ``carrier`` at ``location``: a first or a new attempt."""
        self._may("dispatch")
        carrier, location = _text(carrier, "carrier", 50), _text(location, "location", 100)
        self.carrier, self.attempts = carrier, self.attempts + 1
        note = f"attempt {self.attempts} with {carrier}"
        self._moved(
            S.IN_TRANSIT,
            location,
            note,
            events.PackageDispatched,
            carrier=carrier,
            location=location,
            attempt=self.attempts,
        )

    def record_checkpoint(self, *, location: str, note: str | None) -> None:
        """The package was seen at ``location`` on its way."""
        self._may("record a checkpoint for")
        location, note = _text(location, "location", 100), _optional(note, "note", 500)
        self._moved(
            S.IN_TRANSIT,
            location,
            note,
            events.PackageCheckpointRecorded,
            location=location,
            note=note,
        )

    def deliver(self, *, signed_by: str, location: str | None) -> None:
        """Handed over, signed for by ``signed_by``."""
        self._may("deliver")
        signed_by = _text(signed_by, "signedBy", 100)
        location = None if location is None else _text(location, "location", 100)
        self._moved(
            S.DELIVERED,
            location,
            f"signed by {signed_by}",
            events.PackageDelivered,
            signed_by=signed_by,
            location=location,
        )

    def fail(self, *, reason: str, location: str | None) -> None:
        """A delivery attempt failed; the package may be dispatched again or returned."""
        self._may("fail")
        reason = _text(reason, "reason", 500)
        location = None if location is None else _text(location, "location", 100)
        self._moved(
            S.DELIVERY_FAILED,
            location,
            reason,
            events.PackageDeliveryFailed,
            reason=reason,
            location=location,
        )

    def return_to_sender(self, *, reason: str) -> None:
        """Back at the sender (final)."""
        self._may("return")
        reason = _text(reason, "reason", 500)
        self._moved(S.RETURNED, None, reason, events.PackageReturned, reason=reason)

    def cancel(self, *, reason: str | None) -> None:
        """Never leaves (final); only before its first dispatch."""
        self._may("cancel")
        reason = _optional(reason, "reason", 500)
        self._moved(S.CANCELLED, None, reason, events.PackageCancelled, reason=reason)

    def refuse_cancellation(self, reason: str) -> None:
        """Its reservation ended after the package left: a named state an operator
        resolves, recorded once (the status does not change)."""
        if self.cancellation_refused is not None:
            return
        self.cancellation_refused = reason
        self._moved(
            self.status,
            None,
            f"cancellation refused: {reason}",
            events.PackageCancellationRefused,
            status=self.status.value,
            reason=reason,
        )

    def _may(self, command: str) -> None:
        if self.status not in _LEAVES_FROM[command]:
            raise IllegalTransition(
                f"cannot {command} package {self.id} while it is '{self.status.value}'"
            )

    def _moved(
        self,
        status: PackageStatus,
        location: str | None,
        note: str | None,
        event: Callable[..., DomainEvent],
        /,
        **attributes: object,
    ) -> None:
        now = utc_now()
        self.status, self.version = status, self.version + 1
        self.last_location = location or self.last_location
        self.history.append(HistoryEntry(status, now, location, note))
        self.record(
            event(
                aggregate_id=self.id.value,
                occurred_on=now,
                reservation_id=self.reservation_id,
                version=self.version,
                **attributes,
            )
        )
