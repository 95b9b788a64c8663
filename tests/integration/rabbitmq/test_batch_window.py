"""A subscriber's own batch window: after a batch, its events wait that long to share the
next transaction (the SLA watch's and the webhooks' fan-out: nobody waits on them by the
millisecond), while the other subscribers keep the pipeline's."""

import asyncio

import pytest

from logistics_platform.bootstrap import Platform
from tests.integration.delivery import Batches
from tests.integration.rabbitmq.conftest import Background

pytestmark = [pytest.mark.postgres, pytest.mark.rabbitmq]


async def test_a_subscriber_with_a_batch_window_lets_events_gather_after_a_batch(
    production: Platform, background: Background
) -> None:
    batches = Batches()
    consumer = production.consumer([batches.of(production, "test.unhurried")], name="unhurried")
    background.start(consumer.run)
    await asyncio.wait_for(consumer.started.wait(), timeout=60)  # its queue is bound
    background.start(production.relay().run)

    await batches.one_then_two_within_the_window(production)

    assert batches.sizes == [1, 2]  # the two waited for the window, and shared one
