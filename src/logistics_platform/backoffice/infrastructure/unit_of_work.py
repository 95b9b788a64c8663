"""The backoffice's unit of work on the SQL read store: views, catalog and progress written
in the subscriber's transaction, with the record of the events it handled."""

from sqlalchemy.ext.asyncio import AsyncConnection

from logistics_platform.backoffice.application.ports import BackofficeUnitOfWork
from logistics_platform.backoffice.infrastructure.pg_views import (
    PgProjectionProgress,
    PgStockItemCatalog,
    PgTrackingViews,
)
from logistics_platform.backoffice.infrastructure.sql_views import (
    SqlProjectionProgress,
    SqlStockItemCatalog,
    SqlTrackingViews,
)
from logistics_platform.shared.infrastructure.persistence.unit_of_work import SqlUnitOfWork


class SqlBackofficeUnitOfWork(SqlUnitOfWork, BackofficeUnitOfWork):
    def _open(self, connection: AsyncConnection) -> None:
        self.tracking_views = self._views = (
            SqlTrackingViews(connection)
            if self.driver is None
            else PgTrackingViews(connection, self.driver)
        )
        self.catalog, progress = catalog_and_progress(self)
        self.progress = self._progress = progress

    async def _before_commit(self) -> None:
        await self._views.flush()
        await self._progress.flush()


def catalog_and_progress(uow: SqlUnitOfWork) -> tuple[SqlStockItemCatalog, SqlProjectionProgress]:
    """The catalog and progress on ``uow``'s transaction (also beside another view store)."""
    if uow.driver is None:
        return SqlStockItemCatalog(uow.connection), SqlProjectionProgress(uow.connection)
    return (
        PgStockItemCatalog(uow.connection, uow.driver),
        PgProjectionProgress(uow.connection, uow.driver),
    )
