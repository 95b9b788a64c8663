"""Wire models of the Backoffice API's analytics and alerts (camelCase JSON)."""

from pydantic import Field

from logistics_platform.backoffice.application.alert_queries import LowStockAlert
from logistics_platform.backoffice.application.queries import (
    DeliveryStats,
    Durations,
    TrackingSummary,
)
from logistics_platform.backoffice.domain.tracking_view import TrackingStatus
from logistics_platform.entrypoints.http.schemas import CamelModel, PageMeta
from logistics_platform.shared.application.envelope import format_timestamp


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
