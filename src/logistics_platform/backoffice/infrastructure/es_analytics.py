"""The summary as one Elasticsearch aggregation request, and the summary read back from
its answer (plain data, no client here)."""

from datetime import date
from typing import Any

from logistics_platform.backoffice.application.queries import (
    DeliveryStats,
    Durations,
    StockItemUnits,
    SummaryQuery,
    TrackingSummary,
    merge_daily,
)
from logistics_platform.backoffice.domain.tracking_view import TrackingStatus
from logistics_platform.backoffice.infrastructure.es_documents import in_period


def summary_request(query: SummaryQuery) -> dict[str, Any]:
    """Keyword arguments for ``AsyncElasticsearch.search``: aggregations only."""
    aggregations: dict[str, Any] = {
        "byStatus": {"terms": {"field": "status", "size": len(TrackingStatus)}},
        "top": {
            "terms": {
                "field": "stockItemId",
                "size": query.top,
                "order": [{"units": "desc"}, {"_key": "asc"}],
            },
            "aggs": {
                "units": {"sum": {"field": "reservedQuantity"}},
                "name": {"terms": {"field": "stockItemName.keyword", "size": 1}},
            },
        },
    }
    for name in ("reservedAt", "registeredAt", "deliveredAt"):
        aggregations[name] = {
            "date_histogram": {
                "field": name,
                "calendar_interval": "day",
                "min_doc_count": 1,
                "time_zone": "UTC",
                "format": "yyyy-MM-dd",
            }
        }
    for name in ("secondsToRegistration", "secondsToDelivery"):
        aggregations[name] = {"percentiles": {"field": name, "percents": [50, 90]}}
        aggregations[f"{name}Count"] = {"value_count": {"field": name}}
    aggregations["dispatched"] = {"filter": {"range": {"attempts": {"gt": 0}}}, "aggs": _DELIVERY}
    aggregations["carriers"] = {
        "terms": {"field": "carrier", "size": MAX_CARRIERS, "order": {"_key": "asc"}},
        "aggs": _DELIVERY,
    }
    return {
        "query": {"bool": {"filter": in_period(query.period)}},
        "size": 0,
        "track_total_hits": True,
        "aggs": aggregations,
    }


# Delivery statistics of a set of dispatched views (overall, or one carrier's).
_LEAD_TIME = "secondsRegistrationToDelivery"
_DELIVERY: dict[str, Any] = {
    "failed": {"filter": {"range": {"failures": {"gt": 0}}}},
    "returned": {"filter": {"term": {"status": TrackingStatus.RETURNED.value}}},
    "leadTime": {"percentiles": {"field": _LEAD_TIME, "percents": [50, 90]}},
    "leadTimeCount": {"value_count": {"field": _LEAD_TIME}},
}
MAX_CARRIERS = 100


def _delivery_stats(bucket: dict[str, Any]) -> DeliveryStats:
    count = int(bucket["leadTimeCount"]["value"])
    return DeliveryStats(
        dispatched=bucket["doc_count"],
        failed=bucket["failed"]["doc_count"],
        returned=bucket["returned"]["doc_count"],
        lead_time=_percentiles(count, bucket["leadTime"]["values"]),
    )


def to_summary(aggregations: dict[str, Any]) -> TrackingSummary:
    by_status = dict.fromkeys(TrackingStatus, 0)
    for bucket in aggregations["byStatus"]["buckets"]:
        by_status[TrackingStatus(bucket["key"])] = bucket["doc_count"]
    return TrackingSummary(
        total=sum(by_status.values()),
        by_status=by_status,
        top_stock_items=[
            StockItemUnits(
                stock_item_id=bucket["key"],
                stock_item_name=next((b["key"] for b in bucket["name"]["buckets"]), None),
                units=int(bucket["units"]["value"]),
                reservations=bucket["doc_count"],
            )
            for bucket in aggregations["top"]["buckets"]
        ],
        per_day=merge_daily(*(_daily(aggregations[name]) for name in _DAILY)),
        to_registration=_durations(aggregations, "secondsToRegistration"),
        to_delivery=_durations(aggregations, "secondsToDelivery"),
        deliveries=_delivery_stats(aggregations["dispatched"]),
        by_carrier={
            bucket["key"]: _delivery_stats(bucket) for bucket in aggregations["carriers"]["buckets"]
        },
    )


_DAILY = ("reservedAt", "registeredAt", "deliveredAt")


def _daily(histogram: dict[str, Any]) -> dict[date, int]:
    return {
        date.fromisoformat(bucket["key_as_string"]): bucket["doc_count"]
        for bucket in histogram["buckets"]
    }


def _durations(aggregations: dict[str, Any], name: str) -> Durations:
    return _percentiles(int(aggregations[f"{name}Count"]["value"]), aggregations[name]["values"])


def _percentiles(count: int, values: dict[str, Any]) -> Durations:
    if not count:
        return Durations()

    def at(percent: str) -> float | None:
        value = values.get(percent)
        return None if value is None else round(float(value), 3)

    return Durations(count=count, median=at("50.0"), p90=at("90.0"))
