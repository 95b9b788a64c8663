"""Webhooks: their ports, their management, and the fan-out of events into deliveries
(the API's reads are in ``webhook_queries``).

The fan-out subscriber only writes delivery rows (one per matching subscription, in the
transaction that claims the event); the dispatcher (``webhook_dispatcher``) sends them.
"""

import abc
import json
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from logistics_platform.backoffice.application.webhook_queries import DeliverySummary
from logistics_platform.backoffice.domain.webhook_deliveries import Delivery
from logistics_platform.backoffice.domain.webhooks import ALL_EVENTS, Subscription, host_of
from logistics_platform.shared.application.envelope import EventEnvelope, format_timestamp
from logistics_platform.shared.application.unit_of_work import UnitOfWork
from logistics_platform.shared.domain.errors import NotFound

WEBHOOKS = "backoffice.webhooks"

# Raises InvalidArgument when a receiver's host may not be called (resolving it first).
HostCheck = Callable[[str], Awaitable[None]]


class WebhookSubscriptions(abc.ABC):
    @abc.abstractmethod
    async def add(self, subscription: Subscription) -> None: ...

    @abc.abstractmethod
    async def remove(self, subscription_id: str) -> bool:
        """Remove it and its deliveries; False if there was none."""

    @abc.abstractmethod
    async def following(self, event_name: str) -> list[Subscription]:
        """The subscriptions that want events named ``event_name``."""


@dataclass(frozen=True, slots=True)
class Claimed:
    delivery: Delivery
    subscription: Subscription


class WebhookDeliveries(abc.ABC):
    @abc.abstractmethod
    async def add_all(self, deliveries: Sequence[Delivery]) -> None:
        """Queue them (a delivery of an event already queued for its subscription is kept
        as it was)."""

    @abc.abstractmethod
    async def get(self, subscription_id: str, delivery_id: str) -> Delivery | None: ...

    @abc.abstractmethod
    async def save(self, delivery: Delivery) -> None:
        """Store its new state and release its lease."""

    @abc.abstractmethod
    async def claim_due(
        self, now: datetime, lease_until: datetime, limit: int, busy: frozenset[str]
    ) -> list[Claimed]:
        """At most ``limit`` deliveries due at ``now``, not of the subscriptions ``busy``,
        leased until ``lease_until``: no other dispatcher claims them meanwhile."""

    @abc.abstractmethod
    async def release(self, delivery_ids: Sequence[str]) -> None:
        """Give up leases without an attempt."""


class WebhookUnitOfWork(UnitOfWork):
    subscriptions: WebhookSubscriptions
    deliveries: WebhookDeliveries


def utc_now() -> datetime:
    return datetime.now(UTC)


def webhook_payload(event: EventEnvelope) -> str:
    """The body Standard Webhooks recommends: ``type``, ``timestamp`` and ``data``."""
    data = {**event.attributes, "eventId": event.event_id, "aggregateId": event.aggregate_id}
    body = {"type": event.name, "timestamp": format_timestamp(event.occurred_on), "data": data}
    return json.dumps(body, separators=(",", ":"))


class FollowedEvents:
    """The event names some webhook follows, read again at most every ``ttl`` seconds, so
    that the fan-out passes over the other events (most of them, most of the time)
    without a transaction. A new webhook is followed within ``ttl`` seconds in every
    process, at once in the one that created it (:meth:`forget`)."""

    def __init__(
        self,
        read: Callable[[], Awaitable[frozenset[str]]],
        *,
        ttl: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._read, self._ttl, self._clock = read, ttl, clock
        self._names: frozenset[str] = frozenset()
        self._read_at: float | None = None

    async def of(self, events: Sequence[EventEnvelope]) -> Sequence[EventEnvelope]:
        """The events of ``events`` that some webhook follows."""
        names = await self._current()
        if ALL_EVENTS in names:
            return events
        return [event for event in events if event.name in names]

    async def among(self, names: frozenset[str]) -> frozenset[str]:
        """The event names of ``names`` that some webhook follows."""
        followed = await self._current()
        return names if ALL_EVENTS in followed else names & followed

    async def _current(self) -> frozenset[str]:
        now = self._clock()
        if self._read_at is None or now - self._read_at >= self._ttl:
            self._names, self._read_at = await self._read(), now
        return self._names

    def forget(self) -> None:
        """The subscriptions changed: read them again before the next batch."""
        self._read_at = None


async def queue_deliveries_on_event(event: EventEnvelope, uow: WebhookUnitOfWork) -> None:
    """One delivery of ``event`` per subscription that wants it."""
    subscriptions = await uow.subscriptions.following(event.name)
    if subscriptions:
        payload, now = webhook_payload(event), utc_now()
        await uow.deliveries.add_all(
            [Delivery.queue(s.id, event.event_id, event.name, payload, now) for s in subscriptions]
        )


@dataclass(frozen=True, slots=True)
class CreateWebhook:
    url: str
    event_types: tuple[str, ...]
    secret: str | None = None


async def create_webhook(
    command: CreateWebhook,
    uow: WebhookUnitOfWork,
    *,
    known_events: frozenset[str],
    check_host: HostCheck,
) -> Subscription:
    """Subscribe a receiver, once its URL, events, secret and host pass the rules."""
    subscription = Subscription.create(
        command.url, command.event_types, known_events, utc_now(), command.secret
    )
    await check_host(host_of(command.url))
    await uow.subscriptions.add(subscription)
    await uow.commit()
    return subscription


async def delete_webhook(subscription_id: str, uow: WebhookUnitOfWork) -> None:
    if not await uow.subscriptions.remove(subscription_id):
        raise NotFound(f"no webhook {subscription_id}")
    await uow.commit()


async def redeliver(
    subscription_id: str, delivery_id: str, uow: WebhookUnitOfWork
) -> DeliverySummary:
    """Send a dead or delivered delivery again: a new series of attempts."""
    delivery = await uow.deliveries.get(subscription_id, delivery_id)
    if delivery is None:
        raise NotFound(f"no delivery {delivery_id} of webhook {subscription_id}")
    again = delivery.redelivered(utc_now())
    await uow.deliveries.save(again)
    await uow.commit()
    return DeliverySummary.of(again)
