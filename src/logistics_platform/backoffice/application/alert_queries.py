"""The low-stock alerts question and its answer (store-independent)."""

from dataclasses import dataclass
from datetime import datetime

from logistics_platform.backoffice.application.queries import PageRequest


@dataclass(frozen=True, kw_only=True)
class AlertsQuery(PageRequest):
    warehouse: str | None = None


@dataclass(frozen=True, slots=True)
class LowStockAlert:
    """An item under its threshold since ``since`` (name, warehouse and sku once known)."""

    stock_item_id: str
    stock_item_name: str | None
    warehouse: str | None
    sku: str | None
    available: int
    threshold: int
    since: datetime
