"""The low-stock alerts question and its answer (store-independent)."""

from dataclasses import dataclass
from datetime import datetime

from logistics_platform.backoffice.application.queries import MAX_PAGE_SIZE, MAX_RESULT_WINDOW
from logistics_platform.shared.domain.errors import InvalidArgument


@dataclass(frozen=True, slots=True)
class AlertsQuery:
    warehouse: str | None = None
    page: int = 1
    size: int = 20

    def __post_init__(self) -> None:
        if not 1 <= self.size <= MAX_PAGE_SIZE:
            raise InvalidArgument(f"size must be between 1 and {MAX_PAGE_SIZE}")
        if self.page < 1:
            raise InvalidArgument("page must be 1 or more")
        if self.page * self.size > MAX_RESULT_WINDOW:
            raise InvalidArgument(f"pages beyond the first {MAX_RESULT_WINDOW} are not served")

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.size


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


@dataclass(frozen=True, slots=True)
class AlertsPage:
    items: list[LowStockAlert]
    total: int
    page: int
    size: int
