"""The backoffice's unit of work on the SQL read store: views, catalog and progress written
in the subscriber's transaction, with the record of the events it handled."""

from logistics_platform.backoffice.application.ports import BackofficeUnitOfWork
from logistics_platform.backoffice.infrastructure.sql_catalog import (
    SqlStockAlerts,
    SqlStockItemCatalog,
)
from logistics_platform.backoffice.infrastructure.sql_views import (
    SqlProjectionProgress,
    SqlTrackingViews,
)
from logistics_platform.shared.infrastructure.persistence.unit_of_work import SqlUnitOfWork


class SqlBackofficeUnitOfWork(SqlUnitOfWork, BackofficeUnitOfWork):
    def _open(self) -> None:
        self.tracking_views = self._views = SqlTrackingViews(self.connection, self.driver)
        self.catalog = self._catalog = SqlStockItemCatalog(self.connection, self.driver)
        self.stock_alerts = SqlStockAlerts(self.connection)
        self.progress = self._progress = SqlProjectionProgress(self.connection, self.driver)

    async def _before_commit(self) -> None:
        await self._views.flush()
        await self._catalog.flush()
        await self._progress.flush()
