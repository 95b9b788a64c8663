"""The webhooks and their delivery logs read from the write database, on a reader's
connections (never in a transaction that writes): only the columns the API shows."""

from typing import Any

from sqlalchemy import Row, func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from logistics_platform.backoffice.application.webhook_queries import (
    DeliverySummary,
    WebhookQueries,
    WebhookSummary,
)
from logistics_platform.backoffice.domain.webhook_deliveries import DeliveryStatus
from logistics_platform.backoffice.infrastructure.tables import (
    webhook_deliveries,
    webhook_subscriptions,
)
from logistics_platform.shared.application.paging import Page
from logistics_platform.shared.infrastructure.persistence.database import as_utc

_subscriptions, _deliveries = webhook_subscriptions.c, webhook_deliveries.c
_WEBHOOK = select(
    _subscriptions.id, _subscriptions.url, _subscriptions.event_types, _subscriptions.created_at
)
_DELIVERY = select(
    _deliveries.id,
    _deliveries.event_id,
    _deliveries.event_type,
    _deliveries.status,
    _deliveries.attempts,
    _deliveries.last_status_code,
    _deliveries.last_error,
    _deliveries.next_attempt_at,
    _deliveries.created_at,
    _deliveries.updated_at,
    _deliveries.delivered_at,
)


class SqlWebhookQueries(WebhookQueries):
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine  # a reader's (database.reader)

    async def get(self, subscription_id: str) -> WebhookSummary | None:
        async with self._engine.connect() as connection:
            found = await connection.execute(_WEBHOOK.where(_subscriptions.id == subscription_id))
            row = found.first()
        return _webhook(row) if row else None

    async def page(self, page: int, size: int) -> Page[WebhookSummary]:
        async with self._engine.connect() as connection:
            rows = await connection.execute(
                _WEBHOOK.order_by(_subscriptions.created_at, _subscriptions.id)
                .offset((page - 1) * size)
                .limit(size)
            )
            found = [_webhook(row) for row in rows]
            total = await connection.scalar(select(func.count()).select_from(webhook_subscriptions))
        return Page(found, total or 0, page, size)

    async def deliveries(
        self, subscription_id: str, status: DeliveryStatus | None, page: int, size: int
    ) -> Page[DeliverySummary]:
        where = [_deliveries.subscription_id == subscription_id]
        if status is not None:
            where.append(_deliveries.status == str(status))
        async with self._engine.connect() as connection:
            rows = await connection.execute(
                _DELIVERY.where(*where)
                .order_by(_deliveries.created_at.desc(), _deliveries.id.desc())
                .offset((page - 1) * size)
                .limit(size)
            )
            found = [_delivery(row) for row in rows]
            total = await connection.scalar(
                select(func.count()).select_from(webhook_deliveries).where(*where)
            )
        return Page(found, total or 0, page, size)


def _webhook(row: Row[*tuple[Any, ...]]) -> WebhookSummary:
    return WebhookSummary(row.id, row.url, frozenset(row.event_types), as_utc(row.created_at))


def _delivery(row: Row[*tuple[Any, ...]]) -> DeliverySummary:
    return DeliverySummary(
        id=row.id,
        event_id=row.event_id,
        event_type=row.event_type,
        status=DeliveryStatus(row.status),
        attempts=row.attempts,
        last_status_code=row.last_status_code,
        last_error=row.last_error,
        next_attempt_at=as_utc(row.next_attempt_at),
        created_at=as_utc(row.created_at),
        updated_at=as_utc(row.updated_at),
        delivered_at=as_utc(row.delivered_at),
    )
