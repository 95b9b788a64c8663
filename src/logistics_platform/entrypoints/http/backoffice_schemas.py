"""Wire models of the Backoffice API (camelCase JSON)."""

from collections.abc import Sequence
from datetime import datetime

from pydantic import Field

from logistics_platform.backoffice.application.ports import ProjectionLag
from logistics_platform.backoffice.application.queries import Durations, TrackingSummary
from logistics_platform.backoffice.domain.tracking_view import TrackingStatus, TrackingView
from logistics_platform.entrypoints.http.schemas import CamelModel, PageMeta
from logistics_platform.shared.application.envelope import format_timestamp


class TimelineEntryResponse(CamelModel):
    status: TrackingStatus
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
    timeline: list[TimelineEntryResponse]
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
            timeline=[
                TimelineEntryResponse(
                    status=entry.status, occurred_on=format_timestamp(entry.occurred_on)
                )
                for entry in view.timeline
            ],
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


class SummaryResponse(CamelModel):
    total: int
    counts_by_status: dict[TrackingStatus, int]
    top_stock_items: list[StockItemUnitsResponse]
    per_day: list[DailyCountsResponse]
    reservation_to_registration: DurationsResponse
    reservation_to_delivery: DurationsResponse

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


def _timestamp(moment: datetime | None) -> str | None:
    return None if moment is None else format_timestamp(moment)
