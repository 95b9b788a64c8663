"""Backoffice API (port 3001): the read side, answered from projections only."""

from datetime import datetime
from typing import Annotated

from fastapi import FastAPI, Path, Query
from pydantic import Field

from logistics_platform.backoffice.application.ports import TrackingFilter
from logistics_platform.backoffice.domain.tracking_view import TrackingStatus, TrackingView
from logistics_platform.bootstrap import Platform
from logistics_platform.entrypoints.http.dependencies import PlatformDep, platform_lifespan
from logistics_platform.entrypoints.http.probes import probes
from logistics_platform.entrypoints.http.problems import install_problem_handlers
from logistics_platform.entrypoints.http.schemas import (
    RESERVATION_ID_PATTERN,
    UUID_PATTERN,
    CamelModel,
    Page,
    PageMeta,
    PageSize,
)
from logistics_platform.shared.application.envelope import format_timestamp
from logistics_platform.shared.domain.errors import NotFound


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


def create_backoffice_app(platform: Platform | None = None) -> FastAPI:
    app = FastAPI(
        title="Backoffice API",
        version="1.0.0",
        description="Tracking views built from domain events (read side).",
        lifespan=platform_lifespan(platform),
    )
    install_problem_handlers(app)
    app.include_router(probes("backoffice-api"))

    @app.get("/tracking/{reservation_id}", response_model=TrackingResponse)
    async def get_tracking(
        reservation_id: Annotated[str, Path(pattern=RESERVATION_ID_PATTERN)],
        platform: PlatformDep,
    ) -> TrackingResponse:
        """The tracking view of one reservation (404 until its first event is projected)."""
        view = await platform.tracking.find(reservation_id)
        if view is None:
            raise NotFound(f"no tracking for reservation {reservation_id}")
        return TrackingResponse.of(view)

    @app.get("/tracking", response_model=TrackingListResponse)
    async def list_tracking(
        platform: PlatformDep,
        status: TrackingStatus | None = None,
        stock_item_id: Annotated[
            str | None, Query(alias="stockItemId", pattern=UUID_PATTERN)
        ] = None,
        page: Annotated[Page, Query()] = 1,
        size: Annotated[PageSize, Query()] = 20,
    ) -> TrackingListResponse:
        """Tracking views, newest first, optionally by status or stock item."""
        found = await platform.tracking.search(
            TrackingFilter(status=status, stock_item_id=stock_item_id and stock_item_id.lower()),
            page=page,
            size=size,
        )
        return TrackingListResponse(
            items=[TrackingResponse.of(view) for view in found.items],
            total=found.total,
            page=found.page,
            size=found.size,
        )

    return app


def _timestamp(moment: datetime | None) -> str | None:
    return None if moment is None else format_timestamp(moment)
