"""The delivery's metrics, on real databases: retries, dead letters, handled events, and
the backlogs sampled from the outbox and the checkpoints."""

import uuid

from prometheus_client import REGISTRY

from logistics_platform.bootstrap import Platform
from logistics_platform.logistics.infrastructure.unit_of_work import SqlLogisticsUnitOfWork
from logistics_platform.shared.application.envelope import EventEnvelope
from logistics_platform.shared.infrastructure.messaging import backlog
from logistics_platform.shared.infrastructure.messaging.in_process import InProcessDelivery
from tests.integration.delivery import reserve, subscriber
from tests.mothers.inventory import an_add_stock_item

RESERVED = "inventory.stock_item.reserved"


def value(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


async def test_retries_dead_letters_and_handled_events_are_counted(platform: Platform) -> None:
    name = f"test.flaky_{uuid.uuid4().hex[:8]}"

    async def flaky(event: EventEnvelope, uow: SqlLogisticsUnitOfWork) -> None:
        if event.attributes["reservationId"] == poisoned:
            raise ValueError("cannot handle this one")

    poisoned = (await reserve(platform, 3))[1]
    delivery = InProcessDelivery(
        platform.engine, [subscriber(platform, name, flaky)], max_attempts=3, first_retry_delay=0
    )
    await delivery.catch_up()

    labels = {"event": RESERVED, "subscriber": name}
    assert value("logistics_events_consumed_total", **labels) == 2
    assert value("logistics_events_retried_total", **labels) == 2
    assert value("logistics_events_dead_lettered_total", **labels) == 1
    assert value("logistics_event_handling_duration_seconds_count", subscriber=name) == 2
    assert value("logistics_subscriber_lag_seconds", subscriber=name) > 0


async def test_the_backlogs_are_what_is_left_to_publish_and_to_handle(platform: Platform) -> None:
    name = f"test.counting_{uuid.uuid4().hex[:8]}"

    async def nothing(event: EventEnvelope, uow: SqlLogisticsUnitOfWork) -> None:
        pass

    await reserve(platform, 3)  # four events: the item added, three reservations
    await backlog.sample_outbox(platform.engine)  # nothing is relayed in the embedded mode
    assert value("logistics_outbox_backlog_events") == 4
    assert value("logistics_outbox_oldest_unpublished_age_seconds") > 0

    sample = backlog.subscriber_sampler(platform.engine, {name: frozenset({RESERVED})})
    await sample()
    assert value("logistics_subscriber_backlog_events", subscriber=name) == 3  # its own
    delivery = InProcessDelivery(platform.engine, [subscriber(platform, name, nothing)])
    await delivery.catch_up()
    await platform.commands.handle(an_add_stock_item())  # an event it does not follow
    await sample()
    assert value("logistics_subscriber_backlog_events", subscriber=name) == 0
