"""SLA alerts from the SQL breaches table (the write database, whichever store holds the
views): the API's and the dashboard's question."""

from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from logistics_platform.backoffice.application.sla_ports import SlaAlert, SlaAlerts, SlaAlertsQuery
from logistics_platform.backoffice.domain.sla import BreachKind
from logistics_platform.backoffice.infrastructure.tables import sla_breaches
from logistics_platform.shared.application.paging import Page
from logistics_platform.shared.infrastructure.persistence.database import as_utc

b = sla_breaches.c


class SqlSlaAlerts(SlaAlerts):
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def list(self, query: SlaAlertsQuery) -> Page[SlaAlert]:
        conditions: list[ColumnElement[bool]] = []
        if query.kind is not None:
            conditions.append(b.kind == query.kind.value)
        if query.carrier is not None:
            conditions.append(b.carrier == query.carrier)
        async with self._engine.connect() as connection:
            total = await connection.scalar(
                select(func.count()).select_from(sla_breaches).where(*conditions)
            )
            rows = await connection.execute(
                select(sla_breaches)
                .where(*conditions)
                .order_by(b.detected_at.desc(), b.package_id, b.kind)
                .limit(query.size)
                .offset(query.offset)
            )
            alerts = [_alert(row) for row in rows]
        return Page(items=alerts, total=total or 0, page=query.page, size=query.size)


def _alert(row: Any) -> SlaAlert:
    return SlaAlert(
        package_id=row.package_id,
        kind=BreachKind(row.kind),
        reservation_id=row.reservation_id,
        tracking_number=row.tracking_number,
        status=row.status,
        carrier=row.carrier,
        since=as_utc(row.since),
        threshold_seconds=row.threshold_seconds,
        failures=row.failures,
        detected_at=as_utc(row.detected_at),
    )
