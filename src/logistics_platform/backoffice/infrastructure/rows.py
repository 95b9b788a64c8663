"""A tracking view as the read stores keep it: its SQL row, and its timeline as every
store stores it (``[{status, occurredOn}]``)."""

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from logistics_platform.backoffice.domain.search_words import searchable_text
from logistics_platform.backoffice.domain.tracking_view import (
    TimelineEntry,
    TrackingStatus,
    TrackingView,
)
from logistics_platform.shared.application.envelope import format_timestamp, parse_timestamp


def timeline_to_primitives(timeline: Iterable[TimelineEntry]) -> list[dict[str, str]]:
    return [
        {"status": entry.status.value, "occurredOn": format_timestamp(entry.occurred_on)}
        for entry in timeline
    ]


def timeline_from_primitives(entries: Iterable[Mapping[str, Any]]) -> tuple[TimelineEntry, ...]:
    return tuple(
        TimelineEntry(parse_timestamp(entry["occurredOn"]), TrackingStatus(entry["status"]))
        for entry in entries
    )


def to_values(view: TrackingView, *, version: int) -> dict[str, Any]:
    """The row for ``view`` (datetimes in UTC: SQLite stores them without a zone)."""
    return {
        "reservation_id": view.reservation_id,
        "stock_item_id": view.stock_item_id,
        "stock_item_name": view.stock_item_name,
        "reserved_quantity": view.reserved_quantity,
        "package_id": view.package_id,
        "tracking_number": view.tracking_number,
        "status": view.status.value,
        "timeline": timeline_to_primitives(view.timeline),
        "created_at": utc(view.created_at),
        "updated_at": utc(view.updated_at),
        "reserved_at": utc(view.reached_on(TrackingStatus.RESERVED)),
        "registered_at": utc(view.reached_on(TrackingStatus.REGISTERED)),
        "delivered_at": utc(view.reached_on(TrackingStatus.DELIVERED)),
        "search_text": searchable_text(view),
        "version": version,
    }


def to_view(row: Any) -> TrackingView:
    """From a row's mapping (SQLAlchemy) or record (asyncpg)."""
    return TrackingView(
        reservation_id=row["reservation_id"],
        stock_item_id=row["stock_item_id"],
        stock_item_name=row["stock_item_name"],
        reserved_quantity=row["reserved_quantity"],
        package_id=row["package_id"],
        tracking_number=row["tracking_number"],
        timeline=timeline_from_primitives(row["timeline"]),
        version=row["version"],
    )


def utc(moment: datetime | None) -> datetime | None:
    return None if moment is None else moment.astimezone(UTC)
