"""The delivery lifecycle in production mode: every API, the relay and each context's
consumer as separate processes on PostgreSQL and RabbitMQ, driven over HTTP only."""

from collections.abc import Awaitable, Callable

import httpx
import pytest

from tests.lifecycle import (
    Operator,
    Stack,
    a_whole_life,
    releasing_cancelling_and_expiring,
    twelve_concurrent_outcomes,
)
from tests.processes import Processes, free_port

pytestmark = [pytest.mark.postgres, pytest.mark.rabbitmq, pytest.mark.system]


async def start_stack(processes: Processes, **env: str) -> Stack:
    """The production roles, one process each (``env`` added to their settings)."""
    ports = {api: free_port() for api in ("inventory", "logistics", "backoffice")}
    apis = {
        api: processes.logistics(f"{api}-api", f"{api}-api", "--port", str(port), **env)
        for api, port in ports.items()
    }
    relay = processes.logistics("relay", "relay", **env)
    consumers = [
        processes.logistics(f"{context}-consumer", "consumer", context, **env)
        for context in ("inventory", "logistics", "backoffice")
    ]
    urls = {api: await processes.wait_for_http(apis[api], ports[api]) for api in apis}
    await processes.wait_for_log(relay, "relay started")
    for consumer in consumers:
        await processes.wait_for_log(consumer, "consuming")
    return Stack(urls["inventory"], urls["logistics"], urls["backoffice"], processes)


@pytest.mark.parametrize(
    "scenario", [a_whole_life, releasing_cancelling_and_expiring, twelve_concurrent_outcomes]
)
async def test_the_lifecycle_across_processes(
    processes: Processes, scenario: Callable[[Operator], Awaitable[None]]
) -> None:
    stack = await start_stack(processes)
    async with httpx.AsyncClient(timeout=60) as client:
        await scenario(Operator(client, stack))


@pytest.mark.timeout(1500)  # 2,000 orders through seven processes on a shared machine
async def test_a_simulated_day_of_two_thousand_orders_reconciles(processes: Processes) -> None:
    # One client sends it all: the APIs' per-client rate limit would only slow it down.
    stack = await start_stack(processes, RATE_LIMIT="none")
    code, output = await processes.complete(
        "simulate",
        "--orders",
        "2000",
        "--rate",
        "100",
        "--seed",
        "7",
        "--inventory-url",
        stack.inventory,
        "--logistics-url",
        stack.logistics,
        "--backoffice-url",
        stack.backoffice,
        within=1440,
    )
    assert code == 0, f"{output}\n{processes.logs()}"
    assert "2000 orders" in output
    assert "reconciled" in output
