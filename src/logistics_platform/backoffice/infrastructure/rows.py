"""A tracking view as the read stores keep it: its SQL row, and the parts every store
stores alike: its timeline (``[{status, occurredOn, version, eventId, location, note,
carrier}]``) and a refused cancellation (``{status, reason, occurredOn}``)."""

import json
from collections.abc import Iterable, Mapping
from typing import Any

from logistics_platform.backoffice.domain.search_words import searchable_text
from logistics_platform.backoffice.domain.tracking_view import (
    RESERVATION_VERSION,
    CancellationRefused,
    ReservationStatus,
    TimelineEntry,
    TrackingStatus,
    TrackingView,
)
from logistics_platform.shared.application.envelope import format_timestamp, parse_timestamp
from logistics_platform.shared.infrastructure.persistence.database import as_utc


def timeline_to_primitives(timeline: Iterable[TimelineEntry]) -> list[dict[str, Any]]:
    return [
        {
            "status": entry.status.value,
            "occurredOn": format_timestamp(entry.occurred_on),
            "version": entry.version,
            "eventId": entry.event_id,
            "location": entry.location,
            "note": entry.note,
            "carrier": entry.carrier,
        }
        for entry in timeline
    ]


def timeline_from_primitives(entries: Iterable[Mapping[str, Any]]) -> tuple[TimelineEntry, ...]:
    return tuple(_entry(entry) for entry in entries)


def _entry(entry: Mapping[str, Any]) -> TimelineEntry:
    status = TrackingStatus(entry["status"])
    # Entries stored before migration 0007 were a reservation's or a registration's.
    legacy_version = RESERVATION_VERSION if status is TrackingStatus.RESERVED else 1
    return TimelineEntry(
        occurred_on=parse_timestamp(entry["occurredOn"]),
        status=status,
        version=entry.get("version", legacy_version),
        event_id=entry.get("eventId"),
        location=entry.get("location"),
        note=entry.get("note"),
        carrier=entry.get("carrier"),
    )


def refusal_to_primitives(refusal: CancellationRefused | None) -> dict[str, str] | None:
    if refusal is None:
        return None
    return {
        "status": refusal.status,
        "reason": refusal.reason,
        "occurredOn": format_timestamp(refusal.occurred_on),
    }


def refusal_from_primitives(refusal: Mapping[str, Any] | None) -> CancellationRefused | None:
    if refusal is None:
        return None
    return CancellationRefused(
        parse_timestamp(refusal["occurredOn"]), refusal["status"], refusal["reason"]
    )


def reservation_status(value: str | None) -> ReservationStatus | None:
    return None if value is None else ReservationStatus(value)


def to_values(view: TrackingView, *, version: int) -> dict[str, Any]:
    """The row for ``view`` (datetimes in UTC: SQLite stores them without a zone)."""
    return {
        "reservation_id": view.reservation_id,
        "stock_item_id": view.stock_item_id,
        "stock_item_name": view.stock_item_name,
        "warehouse": view.warehouse,
        "reserved_quantity": view.reserved_quantity,
        "package_id": view.package_id,
        "tracking_number": view.tracking_number,
        "status": view.status.value,
        "timeline": timeline_to_primitives(view.timeline),
        "created_at": as_utc(view.created_at),
        "updated_at": as_utc(view.updated_at),
        "reserved_at": as_utc(view.reached_on(TrackingStatus.RESERVED)),
        "registered_at": as_utc(view.reached_on(TrackingStatus.REGISTERED)),
        "delivered_at": as_utc(view.delivered_at),
        "search_text": searchable_text(view),
        "carrier": view.carrier,
        "last_location": view.last_location,
        "attempts": view.attempts,
        "failures": view.failures,
        "signed_by": view.signed_by,
        "reservation_status": view.reservation_status and view.reservation_status.value,
        "cancellation_refused": refusal_to_primitives(view.cancellation_refused),
        "version": version,
    }


def to_view(row: Any) -> TrackingView:
    """From a row's mapping (SQLAlchemy) or record (asyncpg)."""
    return TrackingView(
        reservation_id=row["reservation_id"],
        stock_item_id=row["stock_item_id"],
        stock_item_name=row["stock_item_name"],
        warehouse=row["warehouse"],
        reserved_quantity=row["reserved_quantity"],
        package_id=row["package_id"],
        tracking_number=row["tracking_number"],
        timeline=timeline_from_primitives(_json(row["timeline"])),
        signed_by=row["signed_by"],
        reservation_status=reservation_status(row["reservation_status"]),
        cancellation_refused=refusal_from_primitives(_json(row["cancellation_refused"])),
        version=row["version"],
    )


def _json(value: Any) -> Any:
    """asyncpg hands JSONB over as its text; SQLAlchemy decodes it."""
    return json.loads(value) if isinstance(value, str) else value
