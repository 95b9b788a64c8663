"""Webhook deliveries end to end below the API: the fan-out subscriber, the SQL store, the
dispatcher and the HTTP sender, against a real receiver, on SQLite and PostgreSQL."""

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from logistics_platform.backoffice.application.webhook_queries import (
    DeliverySummary,
    WebhookSummary,
)
from logistics_platform.backoffice.application.webhooks import WEBHOOKS, redeliver
from logistics_platform.backoffice.domain.webhook_deliveries import Delivery, DeliveryStatus
from logistics_platform.backoffice.domain.webhooks import Subscription
from logistics_platform.bootstrap import Platform
from logistics_platform.shared.application.unit_of_work import Causation
from tests.mothers.webhooks import DELIVERED, a_package_delivered, a_subscription
from tests.receiver import HANG, Receiver, a_platform, dispatching
from tests.waiting import eventually


@pytest.fixture
def platform(webhook_platform: Platform) -> Platform:
    return webhook_platform


async def subscribe(platform: Platform, subscription: Subscription) -> Subscription:
    async with platform.webhooks(Causation()) as uow:
        await uow.subscriptions.add(subscription)
        await uow.commit()
    return subscription


async def publish(platform: Platform, count: int = 1) -> None:
    """What in-process delivery or a RabbitMQ consumer does with new events."""
    (fan_out,) = [s for s in platform.subscribers if s.name == WEBHOOKS]
    for _ in range(count):
        await fan_out.deliver(a_package_delivered())


async def log_of(platform: Platform, subscription: Subscription) -> list[DeliverySummary]:
    return (await platform.webhook_queries.deliveries(subscription.id, None, 1, 100)).items


async def settled(platform: Platform, subscription: Subscription, status: str) -> DeliverySummary:
    async def one_is() -> DeliverySummary | None:
        found = await log_of(platform, subscription)
        return found[0] if found and found[0].status == status else None

    return await eventually(one_is, what=f"a delivery {status}")


async def test_the_api_reads_webhooks_and_their_log_without_secrets_or_payloads(
    platform: Platform,
) -> None:
    subscription = await subscribe(platform, a_subscription("http://127.0.0.1:9/a"))
    await publish(platform)
    shown = WebhookSummary.of(subscription)
    assert await platform.webhook_queries.get(subscription.id) == shown
    assert (await platform.webhook_queries.page(1, 10)).items == [shown]
    (logged,) = await log_of(platform, subscription)
    async with platform.webhooks(Causation()) as uow:
        stored = await uow.deliveries.get(subscription.id, logged.id)
    assert stored is not None
    assert logged == DeliverySummary.of(stored)


async def test_a_delivery_is_signed_as_standard_webhooks_say_and_logged(
    platform: Platform,
) -> None:
    async with Receiver().running() as receiver, dispatching(platform):
        subscription = await subscribe(platform, a_subscription(receiver.url))
        await publish(platform)
        delivery = await settled(platform, subscription, DeliveryStatus.DELIVERED)
    (request,) = receiver.requests
    body = request.verified(subscription.secret)
    assert body["type"] == DELIVERED
    assert body["data"]["signedBy"] == "R. Receiver"
    assert body["data"]["eventId"] == delivery.event_id
    assert body["timestamp"].endswith("Z")
    assert request.headers["webhook-id"] == delivery.id
    assert request.headers["content-type"] == "application/json"
    assert (delivery.attempts, delivery.last_status_code) == (1, 204)


async def test_failed_attempts_are_retried_under_the_same_webhook_id_until_one_succeeds(
    platform: Platform,
) -> None:
    answers = [500, 429, 204]
    async with Receiver(lambda n: answers[n]).running() as receiver, dispatching(platform):
        subscription = await subscribe(platform, a_subscription(receiver.url))
        await publish(platform)
        delivery = await settled(platform, subscription, DeliveryStatus.DELIVERED)
    assert delivery.attempts == 3
    assert {r.headers["webhook-id"] for r in receiver.requests} == {delivery.id}
    for request in receiver.requests:
        request.verified(subscription.secret)


async def test_a_delivery_failing_every_attempt_is_dead_until_redelivered(
    platform: Platform,
) -> None:
    async with Receiver(lambda n: 500 if n < 3 else 200).running() as receiver:
        subscription = await subscribe(platform, a_subscription(receiver.url))
        async with dispatching(platform):
            await publish(platform)
            dead = await settled(platform, subscription, DeliveryStatus.DEAD)
            assert (dead.attempts, dead.last_status_code) == (3, 500)
            async with platform.webhooks(Causation()) as uow:
                await redeliver(subscription.id, dead.id, uow)
            delivered = await settled(platform, subscription, DeliveryStatus.DELIVERED)
    assert (delivered.id, delivered.attempts, delivered.last_status_code) == (dead.id, 1, 200)
    assert len(receiver.requests) == 4


async def test_the_fan_out_queues_each_event_once_per_subscription_that_wants_it(
    platform: Platform,
) -> None:
    wanting = await subscribe(platform, a_subscription("http://127.0.0.1:9/a"))
    everything = await subscribe(platform, a_subscription("http://127.0.0.1:9/b", "*"))
    other = await subscribe(
        platform, a_subscription("http://127.0.0.1:9/c", "inventory.stock_item.reserved")
    )
    event = a_package_delivered()
    (fan_out,) = [s for s in platform.subscribers if s.name == WEBHOOKS]
    await fan_out.deliver(event)
    await fan_out.deliver(event)  # redelivered by the transport
    assert [d.event_id for d in await log_of(platform, wanting)] == [event.event_id]
    assert [d.event_id for d in await log_of(platform, everything)] == [event.event_id]
    assert await log_of(platform, other) == []


async def test_without_the_allowance_an_internal_address_is_refused_at_send_time(
    database_url: str,
) -> None:
    # As when a host's DNS answer changes after the webhook was created (rebinding).
    platform = await a_platform(
        database_url, webhook_allow_private_networks=False, webhook_max_attempts=1
    )
    try:
        async with Receiver().running() as receiver, dispatching(platform):
            subscription = await subscribe(platform, a_subscription(receiver.url))
            await publish(platform)
            dead = await settled(platform, subscription, DeliveryStatus.DEAD)
    finally:
        await platform.close()
    assert dead.last_error is not None
    assert "resolves to 127.0.0.1, which is not a public address" in dead.last_error
    assert receiver.requests == []


async def test_a_receiver_that_never_answers_holds_only_its_own_slots(database_url: str) -> None:
    platform = await a_platform(
        database_url,
        webhook_timeout_seconds=300,  # far beyond the wait below
        webhook_concurrency=5,
        webhook_concurrency_per_endpoint=4,
    )
    try:
        async with (
            Receiver(lambda _: HANG).running() as hanging,
            Receiver().running() as answering,
            dispatching(platform),
        ):
            await subscribe(platform, a_subscription(hanging.url))
            await publish(platform, 6)
            await eventually(
                lambda: _at_least(hanging, 4), what="the hanging receiver to take its slots"
            )
            fine = await subscribe(platform, a_subscription(answering.url, "*"))
            await publish(platform, 6)

            async def all_delivered() -> bool:
                found = await log_of(platform, fine)
                return len(found) == 6 and all(d.status == "delivered" for d in found)

            await eventually(all_delivered, within=120, what="every delivery to the other")
            assert len(hanging.requests) == 4  # its own slots, no more
    finally:
        await platform.close()


async def _at_least(receiver: Receiver, count: int) -> bool:
    return len(receiver.requests) >= count


async def test_two_dispatchers_make_each_attempt_once(database_url: str) -> None:
    first = await a_platform(database_url)
    second = await a_platform(database_url)
    try:
        async with Receiver().running() as receiver:
            subscription = await subscribe(first, a_subscription(receiver.url))
            await publish(first, 20)
            async with dispatching(first), dispatching(second):

                async def all_delivered() -> bool:
                    found = await log_of(first, subscription)
                    return all(d.status == "delivered" for d in found)

                await eventually(all_delivered, what="every delivery")
        ids = Counter(r.headers["webhook-id"] for r in receiver.requests)
        assert len(ids) == 20
        assert set(ids.values()) == {1}
    finally:
        await first.close()
        await second.close()


async def test_a_delivery_its_webhook_was_deleted_under_takes_no_claim(
    platform: Platform,
) -> None:
    now = datetime.now(UTC)
    gone = a_subscription("http://127.0.0.1:9/gone")  # never stored, as if deleted meanwhile
    kept = await subscribe(platform, a_subscription("http://127.0.0.1:9/kept"))
    orphan = Delivery.queue(gone.id, "event-1", DELIVERED, "{}", now - timedelta(seconds=1))
    due = Delivery.queue(kept.id, "event-2", DELIVERED, "{}", now)
    async with platform.webhooks(Causation()) as uow:
        await uow.deliveries.add_all([orphan, due])
        await uow.commit()
    async with platform.webhooks(Causation()) as uow:
        later = now + timedelta(seconds=1)
        (claimed,) = await uow.deliveries.claim_due(later, later, 1, frozenset())
    assert claimed.delivery.id == due.id
