"""Webhook subscriptions and deliveries in the write database (SQLite or PostgreSQL)."""

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row, delete, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from logistics_platform.backoffice.application.webhooks import (
    Claimed,
    WebhookDeliveries,
    WebhookSubscriptions,
    WebhookUnitOfWork,
)
from logistics_platform.backoffice.domain.webhook_deliveries import Delivery, DeliveryStatus
from logistics_platform.backoffice.domain.webhooks import Subscription
from logistics_platform.backoffice.infrastructure.tables import (
    webhook_deliveries,
    webhook_subscriptions,
)
from logistics_platform.shared.infrastructure.persistence.database import (
    as_utc,
    insert_ignoring_duplicates,
)
from logistics_platform.shared.infrastructure.persistence.unit_of_work import SqlUnitOfWork

_subscriptions, _deliveries = webhook_subscriptions.c, webhook_deliveries.c


def subscription_of(row: Row[Any]) -> Subscription:
    # By column, not name: in a join with the deliveries, ``id`` would be theirs.
    column = row._mapping
    return Subscription(
        column[_subscriptions.id],
        column[_subscriptions.url],
        frozenset(column[_subscriptions.event_types]),
        column[_subscriptions.secret],
        as_utc(column[_subscriptions.created_at]),
    )


def delivery_of(row: Row[Any]) -> Delivery:
    column = row._mapping
    return Delivery(
        id=column[_deliveries.id],
        subscription_id=column[_deliveries.subscription_id],
        event_id=column[_deliveries.event_id],
        event_type=column[_deliveries.event_type],
        payload=column[_deliveries.payload],
        status=DeliveryStatus(column[_deliveries.status]),
        attempts=column[_deliveries.attempts],
        next_attempt_at=as_utc(column[_deliveries.next_attempt_at]),
        created_at=as_utc(column[_deliveries.created_at]),
        updated_at=as_utc(column[_deliveries.updated_at]),
        last_status_code=column[_deliveries.last_status_code],
        last_error=column[_deliveries.last_error],
        delivered_at=as_utc(column[_deliveries.delivered_at]),
    )


def _delivery_row(delivery: Delivery) -> dict[str, Any]:
    return {
        "id": delivery.id,
        "subscription_id": delivery.subscription_id,
        "event_id": delivery.event_id,
        "event_type": delivery.event_type,
        "payload": delivery.payload,
        "status": str(delivery.status),
        "attempts": delivery.attempts,
        "next_attempt_at": delivery.next_attempt_at,
        "last_status_code": delivery.last_status_code,
        "last_error": delivery.last_error,
        "created_at": delivery.created_at,
        "updated_at": delivery.updated_at,
        "delivered_at": delivery.delivered_at,
    }


async def followed_event_types(engine: AsyncEngine) -> frozenset[str]:
    """Every event name some subscription follows (``*`` among them if one follows all)."""
    async with engine.connect() as connection:
        rows = await connection.execute(select(_subscriptions.event_types))
        return frozenset(name for (names,) in rows for name in names)


class SqlWebhookSubscriptions(WebhookSubscriptions):
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection
        self._all: list[Subscription] | None = None  # read once per transaction

    async def add(self, subscription: Subscription) -> None:
        await self._connection.execute(
            webhook_subscriptions.insert().values(
                id=subscription.id,
                url=subscription.url,
                event_types=sorted(subscription.event_types),
                secret=subscription.secret,
                created_at=subscription.created_at,
            )
        )

    async def remove(self, subscription_id: str) -> bool:
        await self._connection.execute(
            delete(webhook_deliveries).where(_deliveries.subscription_id == subscription_id)
        )
        removed = await self._connection.execute(
            delete(webhook_subscriptions).where(_subscriptions.id == subscription_id)
        )
        return bool(removed.rowcount)

    async def following(self, event_name: str) -> list[Subscription]:
        # Few subscriptions, each with a short list: matched here rather than in JSON SQL,
        # and read once for a batch of events.
        if self._all is None:
            rows = await self._connection.execute(select(webhook_subscriptions))
            self._all = [subscription_of(row) for row in rows]
        return [s for s in self._all if s.follows(event_name)]


class SqlWebhookDeliveries(WebhookDeliveries):
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection
        self.queued = 0

    async def add_all(self, deliveries: Sequence[Delivery]) -> None:
        statement = insert_ignoring_duplicates(self._connection, webhook_deliveries)
        await self._connection.execute(statement, [_delivery_row(d) for d in deliveries])
        self.queued += len(deliveries)

    async def get(self, subscription_id: str, delivery_id: str) -> Delivery | None:
        found = await self._connection.execute(
            select(webhook_deliveries).where(
                _deliveries.id == delivery_id, _deliveries.subscription_id == subscription_id
            )
        )
        row = found.first()
        return delivery_of(row) if row else None

    async def save(self, delivery: Delivery) -> None:
        row = _delivery_row(delivery)
        await self._connection.execute(
            update(webhook_deliveries)
            .where(_deliveries.id == delivery.id)
            .values(**row, locked_until=None)
        )
        self.queued += delivery.status is DeliveryStatus.PENDING

    async def claim_due(
        self, now: datetime, lease_until: datetime, limit: int, busy: frozenset[str]
    ) -> list[Claimed]:
        # PostgreSQL: rows another dispatcher is claiming are skipped, not waited for.
        # SQLite has one writer at a time and no FOR UPDATE (SQLAlchemy leaves it out).
        due = (
            select(_deliveries.id)
            .where(
                _deliveries.next_attempt_at <= now,
                (_deliveries.locked_until.is_(None)) | (_deliveries.locked_until < now),
                _deliveries.subscription_id.not_in(sorted(busy)),
                # Not those a deletion left behind (queued while it committed).
                _deliveries.subscription_id.in_(select(_subscriptions.id)),
            )
            .order_by(_deliveries.next_attempt_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        ids = list((await self._connection.scalars(due)).all())
        if not ids:
            return []
        await self._connection.execute(
            update(webhook_deliveries)
            .where(_deliveries.id.in_(ids))
            .values(locked_until=lease_until)
        )
        rows = await self._connection.execute(
            select(webhook_deliveries, webhook_subscriptions)
            .join(webhook_subscriptions, _subscriptions.id == _deliveries.subscription_id)
            .where(_deliveries.id.in_(ids))
            .order_by(_deliveries.next_attempt_at)
        )
        return [Claimed(delivery_of(row), subscription_of(row)) for row in rows]

    async def release(self, delivery_ids: Sequence[str]) -> None:
        await self._connection.execute(
            update(webhook_deliveries)
            .where(_deliveries.id.in_(list(delivery_ids)))
            .values(locked_until=None)
        )


def _nothing() -> None:
    return None


class SqlWebhookUnitOfWork(SqlUnitOfWork, WebhookUnitOfWork):
    """Calls ``on_queued`` after a commit that queued deliveries (to wake a dispatcher)."""

    def __init__(self, *args: Any, on_queued: Callable[[], None] = _nothing, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._on_queued = on_queued

    def _open(self) -> None:
        self.subscriptions = SqlWebhookSubscriptions(self.connection)
        self.deliveries = self._queue = SqlWebhookDeliveries(self.connection)

    async def commit(self) -> None:
        await super().commit()
        if self._queue.queued:
            self._on_queued()
