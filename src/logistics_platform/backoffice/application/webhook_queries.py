"""The webhooks and their delivery logs as the API reads them: answers that carry neither
a signing secret nor a payload, read without loading a subscription or a delivery."""

import abc
from dataclasses import dataclass
from datetime import datetime
from typing import Self

from logistics_platform.backoffice.domain.webhook_deliveries import Delivery, DeliveryStatus
from logistics_platform.backoffice.domain.webhooks import Subscription
from logistics_platform.shared.application.paging import Page
from logistics_platform.shared.domain.errors import NotFound


@dataclass(frozen=True, slots=True)
class WebhookSummary:
    id: str
    url: str
    event_types: frozenset[str]
    created_at: datetime

    @classmethod
    def of(cls, subscription: Subscription) -> Self:
        """The subscription without its secret."""
        return cls(
            subscription.id, subscription.url, subscription.event_types, subscription.created_at
        )


@dataclass(frozen=True, slots=True)
class DeliverySummary:
    id: str
    event_id: str
    event_type: str
    status: DeliveryStatus
    attempts: int
    last_status_code: int | None
    last_error: str | None
    next_attempt_at: datetime | None
    created_at: datetime
    updated_at: datetime
    delivered_at: datetime | None

    @classmethod
    def of(cls, delivery: Delivery) -> Self:
        """The delivery as it is now, without its payload."""
        return cls(
            id=delivery.id,
            event_id=delivery.event_id,
            event_type=delivery.event_type,
            status=delivery.status,
            attempts=delivery.attempts,
            last_status_code=delivery.last_status_code,
            last_error=delivery.last_error,
            next_attempt_at=delivery.next_attempt_at,
            created_at=delivery.created_at,
            updated_at=delivery.updated_at,
            delivered_at=delivery.delivered_at,
        )


class WebhookQueries(abc.ABC):
    """The API's reads: outside any transaction that writes (on SQLite such a transaction
    would wait for, and hold, the write lock)."""

    @abc.abstractmethod
    async def get(self, subscription_id: str) -> WebhookSummary | None: ...

    @abc.abstractmethod
    async def page(self, page: int, size: int) -> Page[WebhookSummary]:
        """Oldest first."""

    @abc.abstractmethod
    async def deliveries(
        self, subscription_id: str, status: DeliveryStatus | None, page: int, size: int
    ) -> Page[DeliverySummary]:
        """Newest first."""


async def find_webhook(subscription_id: str, webhooks: WebhookQueries) -> WebhookSummary:
    found = await webhooks.get(subscription_id)
    if found is None:
        raise NotFound(f"no webhook {subscription_id}")
    return found
