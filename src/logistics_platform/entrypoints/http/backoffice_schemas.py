"""Wire models of the Backoffice API (camelCase JSON)."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pydantic import Field

from logistics_platform.backoffice.application.ports import ProjectionLag
from logistics_platform.backoffice.application.queries import (
    AlertsPage,
    DeliveryStats,
    Durations,
    LowStockAlert,
    TrackingSummary,
)
from logistics_platform.backoffice.domain.tracking_view import (
    CancellationRefused,
    ReservationStatus,
    TimelineEntry,
    TrackingStatus,
    TrackingView,
)
from logistics_platform.entrypoints.http.schemas import CamelModel, PageMeta
from logistics_platform.shared.application.envelope import format_timestamp


class ProblemResponse(CamelModel):
    """RFC 9457 problem details (``error`` repeats ``detail`` for the guide's clients)."""

    type: str
    title: str
    status: int
    detail: str
    error: str
    errors: list[dict[str, str]] | None = Field(
        default=None, description="on invalid requests: each field and what is wrong"
    )


def problems(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` declaring these statuses as problem+json."""
    schema = ProblemResponse.model_json_schema(by_alias=True)
    described = {404: "not found", 422: "invalid request", 503: "read store unavailable"}
    return {
        status: {
            "description": described.get(status, "problem"),
            "content": {"application/problem+json": {"schema": schema}},
        }
        for status in statuses
    }


class TimelineEntryResponse(CamelModel):
    status: TrackingStatus
    occurred_on: str
    location: str | None = None
    note: str | None = None
    carrier: str | None = Field(default=None, description="on dispatches")
    version: int = Field(description="the package's version after it (0: the reservation)")

    @classmethod
    def of(cls, entry: TimelineEntry) -> "TimelineEntryResponse":
        return cls(
            status=entry.status,
            occurred_on=format_timestamp(entry.occurred_on),
            location=entry.location,
            note=entry.note,
            carrier=entry.carrier,
            version=entry.version,
        )


class CancellationRefusedResponse(CamelModel):
    status: str = Field(description="the package's status when the cancellation came")
    reason: str
    occurred_on: str


class TrackingResponse(CamelModel):
    id: str = Field(description="the reservation id (the view's key)")
    reservation_id: str
    stock_item_id: str | None
    stock_item_name: str | None
    reserved_quantity: int | None
    package_id: str | None
    tracking_number: str | None
    status: TrackingStatus
    carrier: str | None = Field(description="the carrier of the latest dispatch")
    last_location: str | None
    attempts: int = Field(description="dispatches so far")
    delivered_at: str | None
    signed_by: str | None
    reservation_status: ReservationStatus | None
    cancellation_refused: CancellationRefusedResponse | None = Field(
        description="the reservation went away after the package had left"
    )
    timeline: list[TimelineEntryResponse] = Field(description="one entry per event, by version")
    created_at: str | None
    updated_at: str | None

    @classmethod
    def of(cls, view: TrackingView) -> "TrackingResponse":
        return cls(
            id=view.reservation_id,
            reservation_id=view.reservation_id,
            stock_item_id=view.stock_item_id,
            stock_item_name=view.stock_item_name,
            reserved_quantity=view.reserved_quantity,
            package_id=view.package_id,
            tracking_number=view.tracking_number,
            status=view.status,
            carrier=view.carrier,
            last_location=view.last_location,
            attempts=view.attempts,
            delivered_at=_timestamp(view.delivered_at),
            signed_by=view.signed_by,
            reservation_status=view.reservation_status,
            cancellation_refused=_refusal(view.cancellation_refused),
            timeline=[TimelineEntryResponse.of(entry) for entry in view.timeline],
            created_at=_timestamp(view.created_at),
            updated_at=_timestamp(view.updated_at),
        )


class TrackingListResponse(PageMeta):
    items: list[TrackingResponse]


class StockItemUnitsResponse(CamelModel):
    stock_item_id: str
    stock_item_name: str | None
    units_reserved: int
    reservations: int


class DailyCountsResponse(CamelModel):
    date: str = Field(description="UTC day, YYYY-MM-DD")
    reservations: int
    registrations: int
    deliveries: int


class DurationsResponse(CamelModel):
    count: int = Field(description="views that reached both statuses")
    median_seconds: float | None
    p90_seconds: float | None

    @classmethod
    def of(cls, durations: Durations) -> "DurationsResponse":
        return cls(
            count=durations.count, median_seconds=durations.median, p90_seconds=durations.p90
        )


class DeliveryStatsResponse(CamelModel):
    dispatched: int = Field(description="packages dispatched at least once")
    failed: int = Field(description="of those, packages with a failed delivery")
    returned: int
    failure_rate: float | None = Field(description="failed / dispatched")
    return_rate: float | None = Field(description="returned / dispatched")
    registration_to_delivery: DurationsResponse = Field(description="lead time")

    @classmethod
    def of(cls, stats: DeliveryStats) -> "DeliveryStatsResponse":
        return cls(
            dispatched=stats.dispatched,
            failed=stats.failed,
            returned=stats.returned,
            failure_rate=stats.failure_rate,
            return_rate=stats.return_rate,
            registration_to_delivery=DurationsResponse.of(stats.lead_time),
        )


class SummaryResponse(CamelModel):
    total: int
    counts_by_status: dict[TrackingStatus, int]
    top_stock_items: list[StockItemUnitsResponse]
    per_day: list[DailyCountsResponse]
    reservation_to_registration: DurationsResponse
    reservation_to_delivery: DurationsResponse
    deliveries: DeliveryStatsResponse
    deliveries_by_carrier: dict[str, DeliveryStatsResponse] = Field(
        description="by the carrier of each package's latest dispatch"
    )

    @classmethod
    def of(cls, summary: TrackingSummary) -> "SummaryResponse":
        return cls(
            total=summary.total,
            counts_by_status=summary.by_status,
            top_stock_items=[
                StockItemUnitsResponse(
                    stock_item_id=item.stock_item_id,
                    stock_item_name=item.stock_item_name,
                    units_reserved=item.units,
                    reservations=item.reservations,
                )
                for item in summary.top_stock_items
            ],
            per_day=[
                DailyCountsResponse(
                    date=day.day.isoformat(),
                    reservations=day.reservations,
                    registrations=day.registrations,
                    deliveries=day.deliveries,
                )
                for day in summary.per_day
            ],
            reservation_to_registration=DurationsResponse.of(summary.to_registration),
            reservation_to_delivery=DurationsResponse.of(summary.to_delivery),
            deliveries=DeliveryStatsResponse.of(summary.deliveries),
            deliveries_by_carrier={
                carrier: DeliveryStatsResponse.of(stats)
                for carrier, stats in summary.by_carrier.items()
            },
        )


class LowStockAlertResponse(CamelModel):
    stock_item_id: str
    stock_item_name: str | None
    warehouse: str | None
    sku: str | None
    available: int
    threshold: int
    since: str = Field(description="when available fell below the threshold")

    @classmethod
    def of(cls, alert: LowStockAlert) -> "LowStockAlertResponse":
        return cls(
            stock_item_id=alert.stock_item_id,
            stock_item_name=alert.stock_item_name,
            warehouse=alert.warehouse,
            sku=alert.sku,
            available=alert.available,
            threshold=alert.threshold,
            since=format_timestamp(alert.since),
        )


class LowStockListResponse(PageMeta):
    items: list[LowStockAlertResponse]

    @classmethod
    def of(cls, page: AlertsPage) -> "LowStockListResponse":
        return cls(
            items=[LowStockAlertResponse.of(alert) for alert in page.items],
            total=page.total,
            page=page.page,
            size=page.size,
        )


class ProjectionLagResponse(CamelModel):
    name: str
    events: list[str]
    last_position: int | None
    last_event_id: str | None
    last_occurred_on: str | None
    head_position: int
    events_behind: int
    seconds_behind: float


class ProjectionsResponse(CamelModel):
    store: str
    store_status: str = Field(description="ok, or error when the read store does not answer")
    views: int | None
    events_behind: int = Field(description="the most any projection is behind")
    seconds_behind: float
    projections: list[ProjectionLagResponse]

    @classmethod
    def of(
        cls, store: str, views: int | None, lags: Sequence[ProjectionLag]
    ) -> "ProjectionsResponse":
        return cls(
            store=store,
            store_status="ok" if views is not None else "error",
            views=views,
            events_behind=max((lag.behind for lag in lags), default=0),
            seconds_behind=max((lag.seconds_behind for lag in lags), default=0.0),
            projections=[
                ProjectionLagResponse(
                    name=lag.projection,
                    events=sorted(lag.events),
                    last_position=lag.position,
                    last_event_id=lag.event_id,
                    last_occurred_on=_timestamp(lag.occurred_on),
                    head_position=lag.head,
                    events_behind=lag.behind,
                    seconds_behind=lag.seconds_behind,
                )
                for lag in lags
            ],
        )


def _refusal(refusal: CancellationRefused | None) -> CancellationRefusedResponse | None:
    if refusal is None:
        return None
    return CancellationRefusedResponse(
        status=refusal.status,
        reason=refusal.reason,
        occurred_on=format_timestamp(refusal.occurred_on),
    )


def _timestamp(moment: datetime | None) -> str | None:
    return None if moment is None else format_timestamp(moment)
