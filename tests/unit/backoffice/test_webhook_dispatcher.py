"""The dispatcher's slots and the fan-out, on in-memory ports."""

import asyncio
import contextlib
from datetime import UTC, datetime

from logistics_platform.backoffice.application.webhook_dispatcher import WebhookDispatcher
from logistics_platform.backoffice.application.webhooks import queue_deliveries_on_event
from logistics_platform.backoffice.domain.webhook_deliveries import (
    Backoff,
    Delivery,
    DeliveryStatus,
)
from tests.fakes.webhooks import (
    FakeSender,
    FakeWebhookDeliveries,
    FakeWebhookSubscriptions,
    FakeWebhookUnitOfWork,
)
from tests.mothers.webhooks import a_package_delivered, a_subscription
from tests.waiting import eventually

SLOW, FAST = "https://slow.example/h", "https://fast.example/h"


def a_unit_of_work() -> FakeWebhookUnitOfWork:
    subscriptions = FakeWebhookSubscriptions()
    return FakeWebhookUnitOfWork(subscriptions, FakeWebhookDeliveries(subscriptions))


def a_dispatcher(uow: FakeWebhookUnitOfWork, sender: FakeSender) -> WebhookDispatcher:
    return WebhookDispatcher(
        lambda _: uow,
        lambda: sender,
        backoff=Backoff(base=60, max_attempts=3),
        timeout=10,
        concurrency=5,
        per_endpoint=2,
        clock=lambda: datetime.now(UTC),
    )


async def queue(uow: FakeWebhookUnitOfWork, count: int) -> None:
    for _ in range(count):
        await queue_deliveries_on_event(a_package_delivered(), uow)


async def test_the_fan_out_queues_one_pending_delivery_per_subscription_that_wants_it() -> None:
    uow = a_unit_of_work()
    wanting = a_subscription(FAST)
    await uow.subscriptions.add(wanting)
    await uow.subscriptions.add(a_subscription(SLOW, "inventory.stock_item.reserved"))
    event = a_package_delivered()
    await queue_deliveries_on_event(event, uow)
    (delivery,) = uow.deliveries.rows.values()
    assert (delivery.subscription_id, delivery.event_id) == (wanting.id, event.event_id)
    assert delivery.status is DeliveryStatus.PENDING


async def test_a_subscription_gets_no_more_than_its_slots_and_the_others_the_rest() -> None:
    uow = a_unit_of_work()
    await uow.subscriptions.add(a_subscription(SLOW))
    await queue(uow, 4)
    sender = FakeSender(hanging=frozenset({SLOW}))
    dispatcher = a_dispatcher(uow, sender)
    assert await dispatcher.start_due() == 2  # its per-endpoint limit
    await uow.subscriptions.add(a_subscription(FAST, "*"))
    await queue(uow, 4)  # 4 more for the slow one, 4 for the fast one
    assert await dispatcher.start_due() == 2  # the fast one's limit; none to the slow one
    await asyncio.sleep(0)  # the sends run
    assert [url for url, _ in sender.sent].count(SLOW) == 2
    running = asyncio.create_task(dispatcher.run())
    try:
        await eventually(lambda: _sent_to(sender, FAST, 4), what="every fast delivery")
    finally:
        running.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await running
    assert [url for url, _ in sender.sent].count(SLOW) == 2


async def test_a_failed_attempt_is_recorded_with_its_next_attempt() -> None:
    uow = a_unit_of_work()
    await uow.subscriptions.add(a_subscription(FAST))
    await queue(uow, 1)
    dispatcher = a_dispatcher(uow, FakeSender(status=503))
    assert await dispatcher.start_due() == 1
    (failed,) = await eventually(lambda: _attempted(uow), what="the attempt recorded")
    assert (failed.status, failed.last_status_code) == (DeliveryStatus.FAILED_RETRYING, 503)
    assert failed.next_attempt_at is not None
    assert failed.id not in uow.deliveries.leased
    assert await dispatcher.start_due() == 0  # not due for a while


async def _sent_to(sender: FakeSender, url: str, count: int) -> bool:
    return [to for to, _ in sender.sent].count(url) >= count


async def _attempted(uow: FakeWebhookUnitOfWork) -> list[Delivery]:
    return [d for d in uow.deliveries.rows.values() if d.attempts]
