"""Events recorded by the Inventory context."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar, Self

from logistics_platform.shared.domain.events import DomainEvent


@dataclass(frozen=True, kw_only=True)
class StockItemAdded(DomainEvent):
    EVENT_NAME: ClassVar[str] = "inventory.stock_item.added"

    name: str
    quantity: int

    def to_primitives(self) -> dict[str, Any]:
        return {"id": self.aggregate_id, "name": self.name, "quantity": self.quantity}

    @classmethod
    def from_primitives(
        cls,
        *,
        aggregate_id: str,
        event_id: str,
        occurred_on: datetime,
        attributes: Mapping[str, Any],
    ) -> Self:
        return cls(
            aggregate_id=aggregate_id,
            event_id=event_id,
            occurred_on=occurred_on,
            name=str(attributes["name"]),
            quantity=int(attributes["quantity"]),
        )


@dataclass(frozen=True, kw_only=True)
class StockItemReserved(DomainEvent):
    EVENT_NAME: ClassVar[str] = "inventory.stock_item.reserved"

    quantity: int
    reservation_id: str

    def to_primitives(self) -> dict[str, Any]:
        return {
            "id": self.aggregate_id,
            "quantity": self.quantity,
            "reservationId": self.reservation_id,
        }

    @classmethod
    def from_primitives(
        cls,
        *,
        aggregate_id: str,
        event_id: str,
        occurred_on: datetime,
        attributes: Mapping[str, Any],
    ) -> Self:
        return cls(
            aggregate_id=aggregate_id,
            event_id=event_id,
            occurred_on=occurred_on,
            quantity=int(attributes["quantity"]),
            reservation_id=str(attributes["reservationId"]),
        )
