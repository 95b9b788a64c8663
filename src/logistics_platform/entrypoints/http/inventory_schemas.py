"""The Inventory API's wire models: camelCase JSON, validated at the edge."""

from datetime import datetime
from typing import Annotated
from uuid import UUID

from pydantic import Field

from logistics_platform.entrypoints.http.schemas import (
    WHOLE,
    CamelModel,
    PageMeta,
    ReservationIdText,
    text,
)
from logistics_platform.inventory.application.summaries import (
    ReservationSummary,
    StockItemSummary,
)
from logistics_platform.inventory.domain.values import (
    MAX_NAME_LENGTH,
    MAX_REASON_LENGTH,
    MAX_TTL_SECONDS,
    MAX_UNITS,
)

Units = Annotated[int, Field(strict=True, ge=0, le=MAX_UNITS), WHOLE]
PositiveUnits = Annotated[int, Field(strict=True, ge=1, le=MAX_UNITS), WHOLE]
WarehouseCode = Annotated[str, Field(pattern=r"^[A-Z0-9-]{1,20}$", examples=["MAIN"])]
SkuText = Annotated[str, Field(pattern=r"^[A-Za-z0-9\-_.]{1,64}$", examples=["IPH-15-PRO"])]


class AddStockItemRequest(CamelModel):
    id: UUID
    name: Annotated[str, text(MAX_NAME_LENGTH)]
    quantity: Units
    warehouse: WarehouseCode = "MAIN"
    sku: SkuText | None = Field(default=None, description="unique within the warehouse")
    low_stock_threshold: Units = Field(
        default=0, description="available below this raises a low-stock event"
    )


class ReserveStockRequest(CamelModel):
    quantity: PositiveUnits
    reservation_id: ReservationIdText
    ttl_seconds: Annotated[int, Field(strict=True, ge=1, le=MAX_TTL_SECONDS), WHOLE] | None = Field(
        default=None, description="a held reservation not dispatched in time expires"
    )


class ReplenishRequest(CamelModel):
    quantity: PositiveUnits
    receipt_id: Annotated[ReservationIdText, Field(description="the delivery note; once each")]


class AdjustRequest(CamelModel):
    on_hand: Units
    reason: Annotated[str, text(MAX_REASON_LENGTH)]
    count_id: Annotated[ReservationIdText, Field(description="the count; once each")]


class ReleaseRequest(CamelModel):
    reason: Annotated[str, text(MAX_REASON_LENGTH)] | None = None


class StockItemResponse(CamelModel):
    id: str
    name: str
    warehouse: str
    sku: str | None
    quantity: int = Field(description="units available to reserve")
    reserved: int = Field(description="units held by reservations")
    on_hand: int = Field(description="quantity + reserved")
    shipped: int = Field(description="units committed to dispatched packages, not returned")
    low_stock_threshold: int
    low_stock: bool = Field(description="quantity below lowStockThreshold")
    version: int

    @classmethod
    def of(cls, summary: StockItemSummary) -> "StockItemResponse":
        return cls(
            id=summary.id,
            name=summary.name,
            warehouse=summary.warehouse,
            sku=summary.sku,
            quantity=summary.quantity,
            reserved=summary.reserved,
            on_hand=summary.on_hand,
            shipped=summary.shipped,
            low_stock_threshold=summary.low_stock_threshold,
            low_stock=summary.low_stock,
            version=summary.version,
        )


class StockItemListResponse(PageMeta):
    items: list[StockItemResponse]


class ReservedResponse(CamelModel):
    message: str
    stock_item_id: str
    reservation_id: str
    quantity: int


class ReservationResponse(CamelModel):
    reservation_id: str
    stock_item_id: str
    quantity: int
    status: str = Field(description="held, committed, released or expired")
    expires_at: datetime | None
    reserved_at: datetime
    restocked: bool = Field(description="its package came back and its units are available")
    problem: str | None = Field(
        description="a reaction that can never succeed, e.g. commit_refused: the package"
        " left after the reservation was released or expired"
    )

    @classmethod
    def of(cls, summary: ReservationSummary) -> "ReservationResponse":
        return cls(
            reservation_id=summary.reservation_id,
            stock_item_id=summary.stock_item_id,
            quantity=summary.quantity,
            status=summary.status,
            expires_at=summary.expires_at,
            reserved_at=summary.reserved_at,
            restocked=summary.restocked,
            problem=summary.problem,
        )
