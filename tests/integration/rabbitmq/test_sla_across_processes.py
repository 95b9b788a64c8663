"""SLA alerts in production mode: the watch is kept by `consumer backoffice` from RabbitMQ,
its monitor raises what falls due, and the breach event is relayed like any other."""

from typing import Any

import httpx
import pytest
from sqlalchemy import select

from logistics_platform.bootstrap import Platform
from logistics_platform.shared.infrastructure.persistence.tables import outbox
from tests.lifecycle import Operator, Stack
from tests.processes import Processes, free_port
from tests.waiting import eventually

pytestmark = [pytest.mark.postgres, pytest.mark.rabbitmq, pytest.mark.system]

SLA = {"SLA_REGISTERED_MAX_SECONDS": "1", "SLA_SWEEP_INTERVAL": "0.2"}


async def start_stack(processes: Processes) -> Stack:
    """The APIs, the relay and the Logistics and Backoffice consumers, one process each."""
    ports = {api: free_port() for api in ("inventory", "logistics", "backoffice")}
    apis = {
        api: processes.logistics(f"{api}-api", f"{api}-api", "--port", str(port), **SLA)
        for api, port in ports.items()
    }
    relay = processes.logistics("relay", "relay", **SLA)
    consumers = [
        processes.logistics(f"{context}-consumer", "consumer", context, **SLA)
        for context in ("logistics", "backoffice")
    ]
    urls = {api: await processes.wait_for_http(apis[api], ports[api]) for api in apis}
    await processes.wait_for_log(relay, "relay started")
    for consumer in consumers:
        await processes.wait_for_log(consumer, "consuming")
    return Stack(urls["inventory"], urls["logistics"], urls["backoffice"], processes)


async def test_the_backoffice_consumer_raises_sla_alerts_that_are_relayed(
    processes: Processes, production: Platform
) -> None:
    stack = await start_stack(processes)
    async with httpx.AsyncClient(timeout=60) as client:
        operator = Operator(client, stack)
        stuck = await operator.package_of(await operator.reserve(await operator.add_item(5), 1))

        async def listed() -> list[dict[str, Any]]:
            answer = await client.get(f"{stack.backoffice}/alerts/sla")
            items: list[dict[str, Any]] = answer.json()["items"]
            return [a for a in items if a["packageId"] == stuck["id"]]

        (alert,) = await eventually(listed, what="the stuck_registered alert")
        assert alert["kind"] == "stuck_registered"

    async def relayed() -> bool:
        async with production.engine.connect() as connection:
            rows = await connection.execute(
                select(outbox.c.published_at).where(
                    outbox.c.name == "backoffice.package_sla.breached",
                    outbox.c.aggregate_id == stuck["id"],
                )
            )
            return [row.published_at is not None for row in rows] == [True]

    await eventually(relayed, what="the breach event published to RabbitMQ")
