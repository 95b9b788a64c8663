"""Read-only views of packages for the Logistics API (no aggregate is loaded)."""

from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from logistics_platform.logistics.application.summaries import PackageSummary
from logistics_platform.logistics.infrastructure.tables import history_from_json, packages
from logistics_platform.shared.application.paging import Page

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class PackageFilter:
    status: str | None = None
    reservation_id: str | None = None
    tracking_number: str | None = None

    def applied_to(self, query: Select[T]) -> Select[T]:
        for column, wanted in (
            (packages.c.status, self.status),
            (packages.c.reservation_id, self.reservation_id),
            (packages.c.tracking_number, self.tracking_number),
        ):
            if wanted is not None:
                query = query.where(column == wanted)
        return query


class PackageQueries:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def find(self, id: str) -> PackageSummary | None:
        async with self._engine.connect() as connection:
            row = (await connection.execute(select(packages).where(packages.c.id == id))).first()
        return None if row is None else _summary(row._mapping)

    async def page(self, wanted: PackageFilter, *, page: int, size: int) -> Page[PackageSummary]:
        """Packages matching ``wanted``, oldest registration first (stable pages)."""
        async with self._engine.connect() as connection:
            total = await connection.scalar(
                wanted.applied_to(select(func.count()).select_from(packages))
            )
            rows = await connection.execute(
                wanted.applied_to(select(packages))
                .order_by(packages.c.registered_at, packages.c.id)
                .limit(size)
                .offset((page - 1) * size)
            )
            items = [_summary(row._mapping) for row in rows]
        return Page(items=items, total=total or 0, page=page, size=size)


def _summary(row: Any) -> PackageSummary:
    return PackageSummary(
        id=row["id"],
        tracking_number=row["tracking_number"],
        reservation_id=row["reservation_id"],
        status=row["status"],
        carrier=row["carrier"],
        last_location=row["last_location"],
        attempts=row["attempts"],
        history=history_from_json(row["history"]),
        cancellation_refused=row["cancellation_refused"],
        version=row["version"],
    )
