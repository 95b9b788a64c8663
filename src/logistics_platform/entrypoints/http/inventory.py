"""The Inventory API's routes (port 3000): the write side for stock."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Query, Response
from pydantic import Field, StrictInt

from logistics_platform.bootstrap import Platform
from logistics_platform.entrypoints.http.dependencies import CausationDep, PlatformDep
from logistics_platform.entrypoints.http.schemas import (
    CamelModel,
    Page,
    PageMeta,
    PageSize,
    ReservationIdText,
)
from logistics_platform.inventory.application.commands import AddStockItem, ReserveStock
from logistics_platform.inventory.domain.stock_item import (
    MAX_NAME_LENGTH,
    MAX_UNITS,
    StockItemId,
    StockItemNotFound,
)
from logistics_platform.inventory.infrastructure.queries import StockItemSummary

Units = Annotated[StrictInt, Field(ge=0, le=MAX_UNITS)]
StockItemPathId = Annotated[UUID, Path(description="the stock item's UUID")]


class AddStockItemRequest(CamelModel):
    id: UUID
    name: Annotated[str, Field(min_length=1, max_length=MAX_NAME_LENGTH)]
    quantity: Units


class ReserveStockRequest(CamelModel):
    quantity: Annotated[StrictInt, Field(ge=1, le=MAX_UNITS)]
    reservation_id: ReservationIdText


class StockItemResponse(CamelModel):
    id: str
    name: str
    quantity: int = Field(description="units available to reserve")
    reserved: int = Field(description="units held by reservations")
    on_hand: int = Field(description="quantity + reserved")

    @classmethod
    def of(cls, summary: StockItemSummary) -> "StockItemResponse":
        return cls(
            id=summary.id,
            name=summary.name,
            quantity=summary.quantity,
            reserved=summary.reserved,
            on_hand=summary.on_hand,
        )


class StockItemListResponse(PageMeta):
    items: list[StockItemResponse]


class ReservationResponse(CamelModel):
    message: str
    stock_item_id: str
    reservation_id: str
    quantity: int


router = APIRouter(tags=["stock items"])


@router.post("/stock-items", status_code=201, response_model=StockItemResponse)
async def add_stock_item(
    body: AddStockItemRequest,
    response: Response,
    platform: PlatformDep,
    causation: CausationDep,
) -> StockItemResponse:
    """Add a stock item with its initial available quantity."""
    await platform.commands.handle(
        AddStockItem(id=str(body.id), name=body.name, quantity=body.quantity), causation
    )
    response.headers["Location"] = f"/stock-items/{body.id}"
    return await _stock_item(platform, body.id)


@router.get("/stock-items/{id}", response_model=StockItemResponse)
async def get_stock_item(id: StockItemPathId, platform: PlatformDep) -> StockItemResponse:
    return await _stock_item(platform, id)


@router.get("/stock-items", response_model=StockItemListResponse)
async def list_stock_items(
    platform: PlatformDep,
    page: Annotated[Page, Query()] = 1,
    size: Annotated[PageSize, Query()] = 20,
) -> StockItemListResponse:
    """Stock items by name, a page at a time."""
    found = await platform.stock_items.page(page=page, size=size)
    return StockItemListResponse(
        items=[StockItemResponse.of(item) for item in found.items],
        total=found.total,
        page=found.page,
        size=found.size,
    )


@router.put("/stock-items/{id}/reserve", response_model=ReservationResponse)
async def reserve_stock(
    id: StockItemPathId,
    body: ReserveStockRequest,
    platform: PlatformDep,
    causation: CausationDep,
) -> Response:
    """Reserve units for a reservation id; repeating the same request is harmless."""
    await platform.commands.handle(
        ReserveStock(
            stock_item_id=str(id), quantity=body.quantity, reservation_id=body.reservation_id
        ),
        causation,
    )
    reservation = ReservationResponse(
        message="Stock reserved successfully",
        stock_item_id=str(id),
        reservation_id=body.reservation_id,
        quantity=body.quantity,
    )
    # As is: returning the model, FastAPI would validate it again before serializing it.
    return Response(reservation.model_dump_json(by_alias=True), media_type="application/json")


async def _stock_item(platform: Platform, id: UUID) -> StockItemResponse:
    summary = await platform.stock_items.find(str(id))
    if summary is None:
        raise StockItemNotFound(StockItemId(str(id)))
    return StockItemResponse.of(summary)
