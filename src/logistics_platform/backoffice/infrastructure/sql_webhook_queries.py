"""The webhooks and their delivery logs read from the write database, on a reader's
connections (never in a transaction that writes)."""

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from logistics_platform.backoffice.application.webhooks import WebhookQueries
from logistics_platform.backoffice.domain.webhook_deliveries import Delivery, DeliveryStatus
from logistics_platform.backoffice.domain.webhooks import Subscription
from logistics_platform.backoffice.infrastructure.sql_webhooks import delivery_of, subscription_of
from logistics_platform.backoffice.infrastructure.tables import (
    webhook_deliveries,
    webhook_subscriptions,
)
from logistics_platform.shared.application.paging import Page

_subscriptions, _deliveries = webhook_subscriptions.c, webhook_deliveries.c


class SqlWebhookQueries(WebhookQueries):
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine  # a reader's (database.reader)

    async def get(self, subscription_id: str) -> Subscription | None:
        async with self._engine.connect() as connection:
            found = await connection.execute(
                select(webhook_subscriptions).where(_subscriptions.id == subscription_id)
            )
            row = found.first()
        return subscription_of(row) if row else None

    async def page(self, page: int, size: int) -> Page[Subscription]:
        async with self._engine.connect() as connection:
            rows = await connection.execute(
                select(webhook_subscriptions)
                .order_by(_subscriptions.created_at, _subscriptions.id)
                .offset((page - 1) * size)
                .limit(size)
            )
            found = [subscription_of(row) for row in rows]
            total = await connection.scalar(select(func.count()).select_from(webhook_subscriptions))
        return Page(found, total or 0, page, size)

    async def deliveries(
        self, subscription_id: str, status: DeliveryStatus | None, page: int, size: int
    ) -> Page[Delivery]:
        where = [_deliveries.subscription_id == subscription_id]
        if status is not None:
            where.append(_deliveries.status == str(status))
        async with self._engine.connect() as connection:
            rows = await connection.execute(
                select(webhook_deliveries)
                .where(*where)
                .order_by(_deliveries.created_at.desc(), _deliveries.id.desc())
                .offset((page - 1) * size)
                .limit(size)
            )
            found = [delivery_of(row) for row in rows]
            total = await connection.scalar(
                select(func.count()).select_from(webhook_deliveries).where(*where)
            )
        return Page(found, total or 0, page, size)
