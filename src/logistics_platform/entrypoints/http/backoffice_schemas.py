"""Wire models of the Backoffice API (camelCase JSON)."""

from collections.abc import Sequence
from datetime import datetime
from typing import Annotated

from pydantic import ConfigDict, Field

from logistics_platform.backoffice.application.ports import ProjectionLag
from logistics_platform.backoffice.application.queries import MAX_PAGE_SIZE, MAX_RESULT_WINDOW
from logistics_platform.backoffice.domain.stock_figures import StockItemFigures
from logistics_platform.backoffice.domain.tracking_view import (
    CancellationRefused,
    ReservationStatus,
    TimelineEntry,
    TrackingStatus,
    TrackingView,
)
from logistics_platform.entrypoints.http.schemas import CamelModel, PageMeta
from logistics_platform.shared.application.envelope import format_timestamp

# Pages of at most 100 items, never beyond the first MAX_RESULT_WINDOW results (what every
# read store serves the same way): with the schema saying so, no valid call is refused.
WindowPage = Annotated[
    int,
    Field(
        ge=1,
        le=MAX_RESULT_WINDOW // MAX_PAGE_SIZE,
        description=f"1-based page number; the first {MAX_RESULT_WINDOW} results at most",
    ),
]


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
    warehouse: str | None = Field(description="the stock item's, once the catalog knows it")
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
            warehouse=view.warehouse,
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


class CatalogItemResponse(CamelModel):
    """A stock item as the read side knows it: summed from Inventory's events, so it
    follows the Inventory API's own figures within moments."""

    id: str
    name: str
    warehouse: str | None
    sku: str | None
    low_stock_threshold: int
    on_hand: int = Field(description="available + reserved: units in the warehouse")
    available: int = Field(description="units free to reserve (the Inventory API's quantity)")
    reserved: int = Field(description="units held by reservations")
    shipped: int = Field(description="units that left with packages and did not come back")
    low: bool = Field(description="available below lowStockThreshold")

    @classmethod
    def of(cls, item: StockItemFigures) -> "CatalogItemResponse":
        return cls(
            id=item.stock_item_id,
            name=item.name,
            warehouse=item.warehouse,
            sku=item.sku,
            low_stock_threshold=item.low_stock_threshold,
            on_hand=item.on_hand,
            available=item.available,
            reserved=item.reserved,
            shipped=item.shipped,
            low=item.low,
        )


class PublicTimelineEntryResponse(CamelModel):
    status: TrackingStatus
    occurred_on: str
    location: str | None = None


class PublicTrackingResponse(CamelModel):
    """What a customer may see of their parcel (the public lookup, no token): nothing
    internal (ids, quantities, signatures, notes)."""

    tracking_number: str
    status: TrackingStatus
    carrier: str | None = Field(description="the carrier of the latest dispatch")
    delivered_at: str | None
    timeline: list[PublicTimelineEntryResponse] = Field(description="oldest first")

    model_config = ConfigDict(  # merged with CamelModel's
        json_schema_extra={
            "examples": [
                {
                    "trackingNumber": "LP7K2M9Q4X",
                    "status": "in_transit",
                    "carrier": "DHL",
                    "deliveredAt": None,
                    "timeline": [
                        {"status": "registered", "occurredOn": "2026-12-03T09:00:00.000Z"},
                        {
                            "status": "in_transit",
                            "occurredOn": "2026-12-03T10:30:00.000Z",
                            "location": "Hub Leipzig",
                        },
                    ],
                }
            ]
        }
    )

    @classmethod
    def of(cls, view: TrackingView) -> "PublicTrackingResponse":
        assert view.tracking_number is not None  # found by it
        return cls(
            tracking_number=view.tracking_number,
            status=view.status,
            carrier=view.carrier,
            delivered_at=_timestamp(view.delivered_at),
            timeline=[
                PublicTimelineEntryResponse(
                    status=entry.status,
                    occurred_on=format_timestamp(entry.occurred_on),
                    location=entry.location,
                )
                for entry in view.timeline
                if entry.version > 0  # the reservation is the shop's business, not the parcel's
            ],
        )


class TrackingListResponse(PageMeta):
    items: list[TrackingResponse]


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
