"""A subscriber's own batch window: after a batch, its events wait that long to share the
next transaction (the SLA watch's and the webhooks' fan-out: nobody waits on them by the
millisecond), while the other subscribers keep the pipeline's."""

import asyncio

import pytest

from logistics_platform.bootstrap import Platform
from tests.integration.delivery import Batches, reserve
from tests.integration.rabbitmq.conftest import Background, eventually

pytestmark = [pytest.mark.postgres, pytest.mark.rabbitmq]


async def test_a_subscriber_with_a_batch_window_lets_events_gather_after_a_batch(
    production: Platform, background: Background
) -> None:
    window = 3.0  # wide enough for a loaded machine to commit two reservations within it
    batches = Batches()
    unhurried = batches.of(production, "test.unhurried", batch_window=window)
    consumer = production.consumer([unhurried], name="unhurried")
    background.start(consumer.run)
    await asyncio.wait_for(consumer.started.wait(), timeout=60)  # its queue is bound
    background.start(production.relay().run)
    await reserve(production, 1)  # after a quiet spell: at once, alone

    async def first_handled() -> bool:
        return batches.sizes == [1]

    await eventually(first_handled, what="the first event, alone")
    # Two more within the window, apart (without it, each would go alone): they
    # wait for it, and share one transaction.
    await reserve(production, 1)
    await asyncio.sleep(window / 10)
    await reserve(production, 1)

    async def all_handled() -> bool:
        return sum(batches.sizes) == 3

    await eventually(all_handled, what="the next two")
    assert batches.sizes == [1, 2]
