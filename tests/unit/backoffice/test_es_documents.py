"""The Elasticsearch document shape and requests, checked without a server."""

from datetime import UTC, datetime, timedelta

from logistics_platform.backoffice.application.queries import (
    Period,
    SummaryQuery,
    TrackingSearch,
    TrackingSort,
)
from logistics_platform.backoffice.domain.tracking_view import (
    CancellationRefused,
    ReservationStatus,
    TimelineEntry,
    TrackingStatus,
    TrackingView,
)
from logistics_platform.backoffice.infrastructure import es_analytics as analytics
from logistics_platform.backoffice.infrastructure import es_documents as documents

T0 = datetime(2026, 1, 1, 12, 0, 0, 123456, tzinfo=UTC)


def a_view() -> TrackingView:
    return (
        TrackingView("order-1")
        .reserved(
            stock_item_id="item-1", quantity=3, stock_item_name="Drone", warehouse="BER-1", on=T0
        )
        .package_registered(
            package_id="p-1", tracking_number="AB12CD34EF", on=T0 + timedelta(seconds=90)
        )
    )


def a_delivered_view() -> TrackingView:
    dispatched = TimelineEntry(
        T0 + timedelta(minutes=5), TrackingStatus.IN_TRANSIT, 2, "e-2", "Depot", None, "DHL"
    )
    delivered = TimelineEntry(T0 + timedelta(hours=2), TrackingStatus.DELIVERED, 3, "e-3")
    refusal = CancellationRefused(T0 + timedelta(hours=1), "in_transit", "left already")
    return (
        a_view()
        .package_moved(dispatched, package_id="p-1")
        .package_delivered(delivered, package_id="p-1", signed_by="Ada")
        .reservation_became(ReservationStatus.COMMITTED)
        .cancellation_was_refused(refusal)
    )


def test_a_delivered_view_survives_the_round_trip_with_its_lifecycle() -> None:
    view = a_delivered_view()
    document = documents.to_document(view)
    assert documents.from_document(document, version=2) == view
    assert set(document) == set(documents.MAPPINGS["properties"])
    assert (document["carrier"], document["attempts"], document["signedBy"]) == ("DHL", 1, "Ada")
    assert document["secondsRegistrationToDelivery"] == 2 * 3600 - 90


def test_a_view_survives_the_round_trip_through_a_document() -> None:
    view = a_view()
    document = documents.to_document(view)
    assert documents.from_document(document, version=4) == view
    assert documents.from_document(document, version=4).version == 4


def test_the_document_carries_the_fields_the_mapping_declares() -> None:
    document = documents.to_document(a_view())
    assert set(document) == set(documents.MAPPINGS["properties"])
    assert document["status"] == "registered"
    assert document["createdAt"] == "2026-01-01T12:00:00.123456Z"
    assert document["secondsToRegistration"] == 90.0
    assert document["secondsToDelivery"] is None
    assert document["searchText"] == "drone order 1 ab12cd34ef"
    assert document["warehouse"] == "BER-1"


def test_the_mapping_is_explicit_and_strict() -> None:
    properties = documents.MAPPINGS["properties"]
    assert documents.MAPPINGS["dynamic"] == "strict"
    keywords = ("id", "reservationId", "stockItemId", "status", "trackingNumber", "warehouse")
    for keyword in (*keywords, "carrier"):  # both filtered on exactly
        assert properties[keyword] == {"type": "keyword"}
    assert properties["stockItemName"]["type"] == "text"
    assert properties["stockItemName"]["fields"]["keyword"]["type"] == "keyword"
    assert properties["reservedQuantity"] == {"type": "integer"}
    assert all(properties[name] == {"type": "date"} for name in ("createdAt", "updatedAt"))


def test_a_search_filters_sorts_with_a_tie_break_and_pages() -> None:
    request = documents.search_request(
        TrackingSearch(
            status=TrackingStatus.RESERVED,
            stock_item_id="item-1",
            carrier="DHL",
            warehouse="BER-1",
            text="Drone order-1",
            period=Period(T0, None),
            sort=TrackingSort.UPDATED_AT,
            page=3,
            size=10,
        )
    )
    assert request["query"]["bool"]["filter"] == [
        {"range": {"createdAt": {"gte": "2026-01-01T12:00:00.123456Z"}}},
        {"term": {"status": "reserved"}},
        {"term": {"stockItemId": "item-1"}},
        {"term": {"carrier": "DHL"}},
        {"term": {"warehouse": "BER-1"}},
        {"prefix": {"searchText": "drone"}},
        {"prefix": {"searchText": "order"}},
        {"prefix": {"searchText": "1"}},
    ]
    assert request["sort"] == [
        {"updatedAt": {"order": "asc"}},
        {"reservationId": {"order": "asc"}},
    ]
    assert (request["from_"], request["size"], request["track_total_hits"]) == (20, 10, True)


def test_a_summary_is_read_from_the_aggregations() -> None:
    request = analytics.summary_request(SummaryQuery(top=3))
    assert request["aggs"]["top"]["terms"]["size"] == 3
    aggregations = {
        "byStatus": {"buckets": [{"key": "registered", "doc_count": 2}]},
        "top": {
            "buckets": [
                {
                    "key": "item-1",
                    "doc_count": 2,
                    "units": {"value": 7.0},
                    "name": {"buckets": [{"key": "Drone", "doc_count": 2}]},
                }
            ]
        },
        "reservedAt": {"buckets": [{"key_as_string": "2026-01-01", "doc_count": 2}]},
        "registeredAt": {"buckets": [{"key_as_string": "2026-01-02", "doc_count": 2}]},
        "deliveredAt": {"buckets": []},
        "secondsToRegistration": {"values": {"50.0": 90.0, "90.0": 120.5}},
        "secondsToRegistrationCount": {"value": 2},
        "secondsToDelivery": {"values": {"50.0": None, "90.0": None}},
        "secondsToDeliveryCount": {"value": 0},
        "dispatched": delivery_bucket(dispatched=4, failed=1, returned=1, lead_times=2),
        "carriers": {
            "buckets": [
                {"key": "DHL", **delivery_bucket(dispatched=3, failed=1, returned=0, lead_times=2)},
                {"key": "UPS", **delivery_bucket(dispatched=1, failed=0, returned=1, lead_times=0)},
            ]
        },
    }
    summary = analytics.to_summary(aggregations)
    assert (summary.total, summary.by_status[TrackingStatus.REGISTERED]) == (2, 2)
    [item] = summary.top_stock_items
    assert (item.stock_item_name, item.units, item.reservations) == ("Drone", 7, 2)
    assert [
        (day.day.isoformat(), day.reservations, day.registrations) for day in summary.per_day
    ] == [
        ("2026-01-01", 2, 0),
        ("2026-01-02", 0, 2),
    ]
    assert (summary.to_registration.median, summary.to_registration.p90) == (90.0, 120.5)
    assert summary.to_delivery.count == 0
    assert (summary.deliveries.failure_rate, summary.deliveries.return_rate) == (0.25, 0.25)
    assert summary.deliveries.lead_time.median == 3600.0
    assert {carrier: stats.failure_rate for carrier, stats in summary.by_carrier.items()} == {
        "DHL": round(1 / 3, 4),
        "UPS": 0.0,
    }
    assert summary.by_carrier["UPS"].lead_time.median is None


def delivery_bucket(*, dispatched: int, failed: int, returned: int, lead_times: int) -> dict:
    """A bucket of delivery statistics as Elasticsearch answers it."""
    seconds = {"50.0": 3600.0, "90.0": 7200.0} if lead_times else {"50.0": None, "90.0": None}
    return {
        "doc_count": dispatched,
        "failed": {"doc_count": failed},
        "returned": {"doc_count": returned},
        "leadTime": {"values": seconds},
        "leadTimeCount": {"value": lead_times},
    }
