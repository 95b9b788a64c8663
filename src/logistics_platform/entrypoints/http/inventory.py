"""The Inventory API's routes (port 3000): the write side for stock."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Query, Response

from logistics_platform.bootstrap import Platform
from logistics_platform.entrypoints.http.dependencies import CausationDep, PlatformDep
from logistics_platform.entrypoints.http.inventory_schemas import (
    AddStockItemRequest,
    AdjustRequest,
    ReplenishRequest,
    ReservedResponse,
    ReserveStockRequest,
    StockItemListResponse,
    StockItemResponse,
    WarehouseCode,
)
from logistics_platform.entrypoints.http.openapi import problems
from logistics_platform.entrypoints.http.schemas import PageNumber, PageSize
from logistics_platform.inventory.application.commands import (
    AddStockItem,
    AdjustStock,
    ReplenishStock,
    ReserveStock,
)
from logistics_platform.inventory.domain.stock_item import StockItemId, StockItemNotFound

StockItemPathId = Annotated[UUID, Path(description="the stock item's UUID")]

router = APIRouter(tags=["stock items"])


@router.post(
    "/stock-items",
    summary="Add a stock item",
    status_code=201,
    response_model=StockItemResponse,
    responses=problems(409, 422),
)
async def add_stock_item(
    body: AddStockItemRequest,
    response: Response,
    platform: PlatformDep,
    causation: CausationDep,
) -> StockItemResponse:
    """Add a stock item with its initial available quantity (to warehouse MAIN unless
    told otherwise); a SKU already used in the warehouse is a conflict."""
    command = AddStockItem(
        id=str(body.id),
        name=body.name,
        quantity=body.quantity,
        warehouse=body.warehouse,
        sku=body.sku,
        low_stock_threshold=body.low_stock_threshold,
    )
    await platform.commands.handle(command, causation)
    response.headers["Location"] = f"/stock-items/{body.id}"
    return await _stock_item(platform, body.id)


@router.get(
    "/stock-items/{id}",
    summary="Get a stock item",
    response_model=StockItemResponse,
    responses=problems(404, 422),
)
async def get_stock_item(id: StockItemPathId, platform: PlatformDep) -> StockItemResponse:
    return await _stock_item(platform, id)


@router.get(
    "/stock-items",
    summary="List stock items",
    response_model=StockItemListResponse,
    responses=problems(422),
)
async def list_stock_items(
    platform: PlatformDep,
    page: PageNumber = 1,
    size: PageSize = 20,
    warehouse: Annotated[WarehouseCode | None, Query()] = None,
    low_stock: Annotated[
        bool | None, Query(alias="lowStock", description="below the item's threshold")
    ] = None,
) -> StockItemListResponse:
    """Stock items by name, a page at a time, of one warehouse or low on stock if asked."""
    found = await platform.stock_items.page(
        page=page, size=size, warehouse=warehouse, low_stock=low_stock
    )
    return StockItemListResponse.paged(found, StockItemResponse.of)


@router.put(
    "/stock-items/{id}/reserve",
    summary="Reserve units for a reservation",
    response_model=ReservedResponse,
    responses=problems(404, 409, 422),
)
async def reserve_stock(
    id: StockItemPathId,
    body: ReserveStockRequest,
    platform: PlatformDep,
    causation: CausationDep,
) -> Response:
    """Reserve units for a reservation id (until ``ttlSeconds`` have passed, if given);
    repeating the same request is harmless."""
    await platform.commands.handle(
        ReserveStock(
            stock_item_id=str(id),
            quantity=body.quantity,
            reservation_id=body.reservation_id,
            ttl_seconds=body.ttl_seconds,
        ),
        causation,
    )
    reservation = ReservedResponse(
        message="Stock reserved successfully",
        stock_item_id=str(id),
        reservation_id=body.reservation_id,
        quantity=body.quantity,
    )
    # As is: returning the model, FastAPI would validate it again before serializing it.
    return Response(reservation.model_dump_json(by_alias=True), media_type="application/json")


@router.post(
    "/stock-items/{id}/replenish",
    summary="Receive units (a delivery note)",
    response_model=StockItemResponse,
    responses=problems(404, 409, 422),
)
async def replenish_stock(
    id: StockItemPathId, body: ReplenishRequest, platform: PlatformDep, causation: CausationDep
) -> StockItemResponse:
    """Receive units under a receipt id: the same receipt again changes nothing, the same
    receipt with another quantity is a conflict."""
    command = ReplenishStock(str(id), body.quantity, body.receipt_id)
    await platform.commands.handle(command, causation)
    return await _stock_item(platform, id)


@router.post(
    "/stock-items/{id}/adjust",
    summary="Set on-hand to a count",
    response_model=StockItemResponse,
    responses=problems(404, 409, 422),
)
async def adjust_stock(
    id: StockItemPathId, body: AdjustRequest, platform: PlatformDep, causation: CausationDep
) -> StockItemResponse:
    """Set on-hand to what a count found (never below the units reserved: 409); the same
    count id again changes nothing."""
    command = AdjustStock(str(id), body.on_hand, body.reason, body.count_id)
    await platform.commands.handle(command, causation)
    return await _stock_item(platform, id)


async def _stock_item(platform: Platform, id: UUID) -> StockItemResponse:
    summary = await platform.stock_items.find(str(id))
    if summary is None:
        raise StockItemNotFound(StockItemId(str(id)))
    return StockItemResponse.of(summary)
