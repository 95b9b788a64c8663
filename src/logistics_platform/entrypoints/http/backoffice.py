"""The Backoffice API's routes (port 3001): the read side, answered from projections only."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Query
from fastapi.responses import JSONResponse

from logistics_platform.backoffice.application.alert_queries import AlertsQuery
from logistics_platform.backoffice.application.queries import (
    MAX_QUERY_LENGTH,
    MAX_TOP,
    Period,
    SummaryQuery,
    TrackingSearch,
    TrackingSort,
)
from logistics_platform.backoffice.domain.search_words import words
from logistics_platform.backoffice.domain.tracking_view import TrackingStatus
from logistics_platform.backoffice.infrastructure.event_log import OutboxEventLog
from logistics_platform.entrypoints.http.analytics_schemas import (
    LowStockAlertResponse,
    LowStockListResponse,
    SummaryResponse,
)
from logistics_platform.entrypoints.http.backoffice_schemas import (
    CatalogItemResponse,
    ProjectionsResponse,
    PublicTrackingResponse,
    TrackingListResponse,
    TrackingResponse,
    WindowPage,
)
from logistics_platform.entrypoints.http.dependencies import PlatformDep
from logistics_platform.entrypoints.http.openapi import problems
from logistics_platform.entrypoints.http.schemas import (
    RESERVATION_ID_PATTERN,
    UUID_PATTERN,
    VISIBLE_TEXT_PATTERN,
    IsoDateTime,
    PageSize,
)
from logistics_platform.shared.domain.errors import NotFound

TRACKING_NUMBER_PATTERN = r"^[A-Za-z0-9]{10}$"
WAREHOUSE_PATTERN = r"^[A-Z0-9-]{1,20}$"
MAX_CARRIER_LENGTH = 50  # what a dispatch takes

From = Annotated[
    IsoDateTime | None,
    Query(alias="from", description="created at or after (ISO 8601; no zone means UTC)"),
]
To = Annotated[IsoDateTime | None, Query(alias="to", description="created before (ISO 8601)")]


router = APIRouter()


@router.get(
    "/tracking/by-number/{tracking_number}",
    tags=["tracking"],
    response_model=PublicTrackingResponse,
    responses=problems(404, 422),
    summary="Track a parcel by its tracking number (public)",
)
async def get_tracking_by_number(
    tracking_number: Annotated[str, Path(pattern=TRACKING_NUMBER_PATTERN)],
    platform: PlatformDep,
) -> PublicTrackingResponse:
    """The customer's lookup, without a token and rate-limited: the parcel's status,
    carrier and timeline, nothing internal."""
    view = await platform.tracking.find_by_tracking_number(tracking_number.upper())
    if view is None:
        raise NotFound(f"no tracking for tracking number {tracking_number}")
    return PublicTrackingResponse.of(view)


@router.get(
    "/tracking/{reservation_id}",
    tags=["tracking"],
    summary="Get a reservation's tracking view",
    response_model=TrackingResponse,
    responses=problems(404, 422),
)
async def get_tracking(
    reservation_id: Annotated[str, Path(pattern=RESERVATION_ID_PATTERN)],
    platform: PlatformDep,
) -> TrackingResponse:
    """The tracking view of one reservation (404 until its first event is projected)."""
    view = await platform.tracking.find(reservation_id)
    if view is None:
        raise NotFound(f"no tracking for reservation {reservation_id}")
    return TrackingResponse.of(view)


@router.get(
    "/tracking",
    tags=["tracking"],
    summary="Search tracking views",
    response_model=TrackingListResponse,
    responses=problems(422),
)
async def list_tracking(
    *,
    platform: PlatformDep,
    status: TrackingStatus | None = None,
    stock_item_id: Annotated[str | None, Query(alias="stockItemId", pattern=UUID_PATTERN)] = None,
    carrier: Annotated[
        str | None,
        Query(
            max_length=MAX_CARRIER_LENGTH,
            pattern=VISIBLE_TEXT_PATTERN,
            description="the carrier of the latest dispatch (exactly, as dispatched)",
        ),
    ] = None,
    warehouse: Annotated[
        str | None, Query(pattern=WAREHOUSE_PATTERN, description="the stock item's warehouse")
    ] = None,
    q: Annotated[
        str | None,
        Query(
            max_length=MAX_QUERY_LENGTH,
            description="words that start words of the item name, reservation id "
            "or tracking number (all must match)",
        ),
    ] = None,
    from_: From = None,
    to: To = None,
    sort: TrackingSort = TrackingSort.CREATED_AT_DESC,
    page: WindowPage = 1,
    size: PageSize = 20,
) -> TrackingListResponse:
    """Tracking views, filtered, sorted (ties broken by reservation id) and paged."""
    found = await platform.tracking.search(
        TrackingSearch(
            status=status,
            stock_item_id=stock_item_id and stock_item_id.lower(),
            carrier=carrier and carrier.strip(),  # a dispatch trims it too
            warehouse=warehouse,
            text=q if q and words(q) else None,  # a box without a word filters nothing
            period=Period(from_, to),
            sort=sort,
            page=page,
            size=size,
        )
    )
    return TrackingListResponse.paged(found, TrackingResponse.of)


@router.get(
    "/analytics/summary",
    summary="Delivery analytics over a period",
    tags=["analytics"],
    response_model=SummaryResponse,
    responses=problems(422),
)
async def analytics_summary(
    platform: PlatformDep,
    from_: From = None,
    to: To = None,
    top: Annotated[int, Query(ge=1, le=MAX_TOP, description="stock items to rank")] = 10,
) -> SummaryResponse:
    """Counts per status, top stock items by units reserved, activity per day, the time
    from reservation to registration (and delivery), and per carrier (and overall) the
    packages dispatched, their failure and return rates and their lead time from
    registration to delivery, over views created in range."""
    summary = await platform.tracking.summary(SummaryQuery(period=Period(from_, to), top=top))
    return SummaryResponse.of(summary)


@router.get(
    "/alerts/low-stock",
    summary="List low-stock alerts",
    response_model=LowStockListResponse,
    responses=problems(422),
    tags=["alerts"],
)
async def low_stock_alerts(
    *,
    platform: PlatformDep,
    warehouse: Annotated[str | None, Query(pattern=WAREHOUSE_PATTERN)] = None,
    page: WindowPage = 1,
    size: PageSize = 20,
) -> LowStockListResponse:
    """Stock items under their low-stock threshold (their latest low-stock event, by the
    item's version, is not cleared), the oldest alert first."""
    found = await platform.tracking.low_stock(
        AlertsQuery(warehouse=warehouse, page=page, size=size)
    )
    return LowStockListResponse.paged(found, LowStockAlertResponse.of)


@router.get(
    "/catalog/{stockItemId}",
    summary="Get a stock item and its stock, as the read side knows it",
    tags=["catalog"],
    response_model=CatalogItemResponse,
    responses=problems(404, 422),
)
async def get_catalog_item(
    stock_item_id: Annotated[UUID, Path(alias="stockItemId", description="the stock item's UUID")],
    platform: PlatformDep,
) -> CatalogItemResponse:
    """Name, warehouse, sku, threshold and units (on hand, available, reserved, shipped),
    summed from Inventory's events; 404 until the item's ``added`` event is projected."""
    item = await platform.tracking.stock_item(str(stock_item_id))
    if item is None:
        raise NotFound(f"no stock item {stock_item_id} in the catalog")
    return CatalogItemResponse.of(item)


@router.get(
    "/projections",
    summary="Projection lag and read store status",
    tags=["projections"],
    response_model=ProjectionsResponse,
    responses=problems(503),
)
async def projections(platform: PlatformDep) -> JSONResponse:
    """Each backoffice projection's last applied event and how far it is behind the
    event log; 503 when the read store does not answer."""
    lags = await OutboxEventLog(platform.engine).lag(platform.projections())
    try:
        views: int | None = await platform.tracking.count()
    except Exception:
        views = None
    body = ProjectionsResponse.of(platform.tracking_store.kind, views, lags)
    return JSONResponse(
        body.model_dump(by_alias=True, mode="json"),
        status_code=200 if views is not None else 503,
    )
