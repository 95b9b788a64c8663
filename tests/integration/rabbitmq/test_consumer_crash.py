import asyncio
import sys
from pathlib import Path

import pytest

from logistics_platform.bootstrap import Platform
from tests.integration.rabbitmq.checks import assert_applied_once
from tests.integration.rabbitmq.conftest import Background, eventually, scalar
from tests.mothers.inventory import a_reservation_of, an_add_stock_item
from tests.processes import Processes

pytestmark = [pytest.mark.postgres, pytest.mark.rabbitmq, pytest.mark.system]


@pytest.mark.parametrize("phase", ["in_transaction", "after_commit"])
async def test_an_event_whose_consumer_was_killed_mid_handling_is_redelivered_and_applied_once(
    phase: str, production: Platform, processes: Processes, background: Background
) -> None:
    marker = processes.directory / "stalled"
    stalling = processes.command(
        "stalling-consumer",
        [sys.executable, str(Path(__file__).with_name("stalling_consumer.py")), phase, str(marker)],
    )
    background.start(production.relay().run)
    backoffice = production.subscribers_of("backoffice")
    background.start(production.consumer(backoffice, name="backoffice").run)
    add = an_add_stock_item()
    reservation = a_reservation_of(add.id)
    await production.commands.handle(add)
    await production.commands.handle(reservation)

    async def stalled() -> bool:
        assert stalling.popen.poll() is None, processes.logs()
        return marker.exists()

    # Includes the consumer process's start-up: on a busy machine, tens of seconds.
    await eventually(stalled, within=120, what="the consumer to stall mid-handling")
    stalling.kill()
    processes.logistics("logistics-consumer", "consumer", "logistics")

    async def registered() -> bool:
        view = await production.tracking.find(reservation.reservation_id)
        return view is not None and view.status == "registered"

    # Again a process to start first.
    await eventually(registered, within=120, what="the package", details=processes.logs)
    await asyncio.sleep(0.5)  # room for a duplicate to show up
    await assert_applied_once(production, [reservation.reservation_id])
    handled = await scalar(
        production.engine,
        "SELECT count(*) FROM processed_events WHERE subscriber LIKE 'logistics.%'",
    )
    assert handled == 1
