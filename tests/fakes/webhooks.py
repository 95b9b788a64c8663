"""In-memory webhook ports, for dispatcher tests without a database or a network."""

import asyncio
from collections.abc import Sequence
from datetime import datetime

from logistics_platform.backoffice.application.webhook_dispatcher import Sender
from logistics_platform.backoffice.application.webhooks import (
    Claimed,
    WebhookDeliveries,
    WebhookSubscriptions,
    WebhookUnitOfWork,
)
from logistics_platform.backoffice.domain.webhook_deliveries import Delivery, Outcome
from logistics_platform.backoffice.domain.webhooks import Subscription


class FakeWebhookSubscriptions(WebhookSubscriptions):
    def __init__(self) -> None:
        self.rows: dict[str, Subscription] = {}

    async def add(self, subscription: Subscription) -> None:
        self.rows[subscription.id] = subscription

    async def remove(self, subscription_id: str) -> bool:
        return self.rows.pop(subscription_id, None) is not None

    async def following(self, event_name: str) -> list[Subscription]:
        return [s for s in self.rows.values() if s.follows(event_name)]


class FakeWebhookDeliveries(WebhookDeliveries):
    def __init__(self, subscriptions: FakeWebhookSubscriptions) -> None:
        self.rows: dict[str, Delivery] = {}
        self.leased: dict[str, datetime] = {}
        self._subscriptions = subscriptions

    async def add_all(self, deliveries: Sequence[Delivery]) -> None:
        for delivery in deliveries:
            self.rows.setdefault(delivery.id, delivery)

    async def get(self, subscription_id: str, delivery_id: str) -> Delivery | None:
        found = self.rows.get(delivery_id)
        return found if found and found.subscription_id == subscription_id else None

    async def save(self, delivery: Delivery) -> None:
        self.rows[delivery.id] = delivery
        self.leased.pop(delivery.id, None)

    async def claim_due(
        self, now: datetime, lease_until: datetime, limit: int, busy: frozenset[str]
    ) -> list[Claimed]:
        due = [
            d
            for d in self.rows.values()
            if d.next_attempt_at is not None
            and d.next_attempt_at <= now
            and self.leased.get(d.id, now) <= now
            and d.subscription_id not in busy
        ][:limit]
        for delivery in due:
            self.leased[delivery.id] = lease_until
        return [Claimed(d, self._subscriptions.rows[d.subscription_id]) for d in due]

    async def release(self, delivery_ids: Sequence[str]) -> None:
        for id in delivery_ids:
            self.leased.pop(id, None)


class FakeWebhookUnitOfWork(WebhookUnitOfWork):
    """Shares its rows with every other one made from the same ports."""

    def __init__(
        self, subscriptions: FakeWebhookSubscriptions, deliveries: FakeWebhookDeliveries
    ) -> None:
        self.subscriptions, self.deliveries = subscriptions, deliveries

    async def commit(self) -> None:
        pass

    async def rollback(self) -> None:
        pass

    async def claim(self, subscriber: str, event_id: str) -> bool:
        return True


class FakeSender(Sender):
    """Answers with ``status`` for every URL but those in ``hanging``, which never answer."""

    def __init__(self, status: int = 204, hanging: frozenset[str] = frozenset()) -> None:
        self.status, self.hanging = status, hanging
        self.sent: list[tuple[str, str]] = []  # (url, webhook-id)

    async def send(self, subscription: Subscription, delivery: Delivery) -> Outcome:
        self.sent.append((subscription.url, delivery.id))
        if subscription.url in self.hanging:
            await asyncio.Event().wait()
        return Outcome(self.status)
