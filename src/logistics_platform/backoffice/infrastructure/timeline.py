"""A tracking view's timeline as stored by every read store: ``[{status, occurredOn}]``."""

from collections.abc import Iterable, Mapping
from typing import Any

from logistics_platform.backoffice.domain.tracking_view import TimelineEntry, TrackingStatus
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
