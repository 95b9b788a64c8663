"""Tracking views as Elasticsearch documents: the index mapping, the document shape (the
API's camelCase fields) and the queries, as plain data (no client here)."""

from datetime import timedelta
from typing import Any

from logistics_platform.backoffice.application.queries import (
    Period,
    TrackingSearch,
)
from logistics_platform.backoffice.domain.search_words import searchable_text
from logistics_platform.backoffice.domain.tracking_view import (
    TrackingStatus,
    TrackingView,
)
from logistics_platform.backoffice.infrastructure.rows import (
    refusal_from_primitives,
    refusal_to_primitives,
    reservation_status,
    timeline_from_primitives,
    timeline_to_primitives,
)
from logistics_platform.shared.application.envelope import format_timestamp

_DATE = {"type": "date"}

SETTINGS: dict[str, Any] = {
    # One shard: tracking views are few enough, and terms ordered by a sum are then exact.
    "number_of_shards": 1,
    "analysis": {
        "analyzer": {
            "words": {"type": "custom", "tokenizer": "whitespace", "filter": ["lowercase"]}
        }
    },
}

MAPPINGS: dict[str, Any] = {
    "dynamic": "strict",
    "properties": {
        "id": {"type": "keyword"},
        "reservationId": {"type": "keyword"},
        "stockItemId": {"type": "keyword"},
        "stockItemName": {
            "type": "text",
            "fields": {"keyword": {"type": "keyword", "ignore_above": 256}},
        },
        "reservedQuantity": {"type": "integer"},
        "packageId": {"type": "keyword"},
        "trackingNumber": {"type": "keyword"},
        "status": {"type": "keyword"},
        "timeline": {"type": "object", "enabled": False},
        "createdAt": _DATE,
        "updatedAt": _DATE,
        "reservedAt": _DATE,
        "registeredAt": _DATE,
        "deliveredAt": _DATE,
        "secondsToRegistration": {"type": "double"},
        "secondsToDelivery": {"type": "double"},
        # Added with the package's lifecycle (put onto older indices at start-up).
        "carrier": {"type": "keyword"},
        "lastLocation": {"type": "keyword"},
        "attempts": {"type": "integer"},
        "failures": {"type": "integer"},
        "signedBy": {"type": "keyword"},
        "reservationStatus": {"type": "keyword"},
        "cancellationRefused": {"type": "object", "enabled": False},
        "secondsRegistrationToDelivery": {"type": "double"},
        "warehouse": {"type": "keyword"},
        # Words cut by search_words (the same for every store), matched by prefix.
        "searchText": {
            "type": "text",
            "analyzer": "words",
            "index_prefixes": {"min_chars": 1, "max_chars": 10},
        },
    },
}

_SORT_FIELDS = {
    "createdAt": "createdAt",
    "updatedAt": "updatedAt",
    "reservationId": "reservationId",
}


def to_document(view: TrackingView) -> dict[str, Any]:
    return {
        "id": view.reservation_id,
        "reservationId": view.reservation_id,
        "stockItemId": view.stock_item_id,
        "stockItemName": view.stock_item_name,
        "warehouse": view.warehouse,
        "reservedQuantity": view.reserved_quantity,
        "packageId": view.package_id,
        "trackingNumber": view.tracking_number,
        "status": view.status.value,
        "timeline": timeline_to_primitives(view.timeline),
        "createdAt": _timestamp(view.created_at),
        "updatedAt": _timestamp(view.updated_at),
        "reservedAt": _timestamp(view.reached_on(TrackingStatus.RESERVED)),
        "registeredAt": _timestamp(view.reached_on(TrackingStatus.REGISTERED)),
        "deliveredAt": _timestamp(view.reached_on(TrackingStatus.DELIVERED)),
        "secondsToRegistration": _seconds(view, TrackingStatus.REGISTERED),
        "secondsToDelivery": _seconds(view, TrackingStatus.DELIVERED),
        "searchText": searchable_text(view).strip(),
        "carrier": view.carrier,
        "lastLocation": view.last_location,
        "attempts": view.attempts,
        "failures": view.failures,
        "signedBy": view.signed_by,
        "reservationStatus": view.reservation_status and view.reservation_status.value,
        "cancellationRefused": refusal_to_primitives(view.cancellation_refused),
        "secondsRegistrationToDelivery": _elapsed(
            view.time_between(TrackingStatus.REGISTERED, TrackingStatus.DELIVERED)
        ),
    }


def from_document(source: dict[str, Any], *, version: int) -> TrackingView:
    return TrackingView(
        reservation_id=source["reservationId"],
        stock_item_id=source.get("stockItemId"),
        stock_item_name=source.get("stockItemName"),
        warehouse=source.get("warehouse"),
        reserved_quantity=source.get("reservedQuantity"),
        package_id=source.get("packageId"),
        tracking_number=source.get("trackingNumber"),
        timeline=timeline_from_primitives(source.get("timeline", [])),
        signed_by=source.get("signedBy"),
        reservation_status=reservation_status(source.get("reservationStatus")),
        cancellation_refused=refusal_from_primitives(source.get("cancellationRefused")),
        version=version,
    )


def search_request(search: TrackingSearch) -> dict[str, Any]:
    """Keyword arguments for ``AsyncElasticsearch.search``."""
    filters = in_period(search.period)
    if search.status is not None:
        filters.append({"term": {"status": search.status.value}})
    if search.stock_item_id is not None:
        filters.append({"term": {"stockItemId": search.stock_item_id}})
    if search.carrier is not None:
        filters.append({"term": {"carrier": search.carrier}})
    if search.warehouse is not None:
        filters.append({"term": {"warehouse": search.warehouse}})
    filters.extend({"prefix": {"searchText": word}} for word in search.text_words)
    order = "desc" if search.sort.descending else "asc"
    sort: list[dict[str, Any]] = [{_SORT_FIELDS[search.sort.key]: {"order": order}}]
    if search.sort.key != "reservationId":
        sort.append({"reservationId": {"order": "asc"}})
    return {
        "query": {"bool": {"filter": filters}},
        "sort": sort,
        "from_": search.offset,
        "size": search.size,
        "track_total_hits": True,
        "version": True,
    }


def unnamed_query(stock_item_id: str) -> dict[str, Any]:
    return {
        "bool": {
            "filter": [{"term": {"stockItemId": stock_item_id}}],
            "must_not": [{"exists": {"field": "stockItemName"}}],
        }
    }


def in_period(period: Period) -> list[dict[str, Any]]:
    bounds = {}
    if period.start is not None:
        bounds["gte"] = format_timestamp(period.start)
    if period.end is not None:
        bounds["lt"] = format_timestamp(period.end)
    return [{"range": {"createdAt": bounds}}] if bounds else []


def _timestamp(moment: Any) -> str | None:
    return None if moment is None else format_timestamp(moment)


def _seconds(view: TrackingView, status: TrackingStatus) -> float | None:
    return _elapsed(view.time_from_reservation_to(status))


def _elapsed(elapsed: timedelta | None) -> float | None:
    return None if elapsed is None else elapsed.total_seconds()
