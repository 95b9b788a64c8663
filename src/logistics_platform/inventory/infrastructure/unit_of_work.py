from sqlalchemy.ext.asyncio import AsyncConnection

from logistics_platform.inventory.application.unit_of_work import InventoryUnitOfWork
from logistics_platform.inventory.infrastructure.repository import (
    PgStockItemRepository,
    SqlStockItemRepository,
)
from logistics_platform.shared.infrastructure.persistence.unit_of_work import SqlUnitOfWork


class SqlInventoryUnitOfWork(SqlUnitOfWork, InventoryUnitOfWork):
    def _open(self, connection: AsyncConnection) -> None:
        self.stock_items = (
            SqlStockItemRepository(connection)
            if self.driver is None
            else PgStockItemRepository(connection, self.driver)
        )
