"""The Inventory unit of work port."""

from logistics_platform.inventory.domain.repository import StockItemRepository
from logistics_platform.shared.application.unit_of_work import UnitOfWork
from logistics_platform.shared.domain.repository import Repository


class InventoryUnitOfWork(UnitOfWork):
    stock_items: StockItemRepository

    def repositories(self) -> tuple[Repository, ...]:
        return (self.stock_items,)
