from logistics_platform.inventory.application.unit_of_work import InventoryUnitOfWork
from logistics_platform.inventory.infrastructure.repository import SqlStockItemRepository
from logistics_platform.shared.infrastructure.persistence.unit_of_work import SqlUnitOfWork


class SqlInventoryUnitOfWork(SqlUnitOfWork, InventoryUnitOfWork):
    def _open(self) -> None:
        self.stock_items = SqlStockItemRepository(self.connection, self.driver)
