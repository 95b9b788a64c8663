import asyncio
import uuid

import httpx
import pytest

from logistics_platform.bootstrap import Platform
from tests.integration.rabbitmq.checks import all_registered, assert_applied_once
from tests.integration.rabbitmq.conftest import Background, eventually, scalar
from tests.processes import Processes, free_port

pytestmark = [pytest.mark.postgres, pytest.mark.rabbitmq, pytest.mark.system]

PROCESSES, RESERVATIONS_EACH, STOCK = 4, 50, 150


async def test_four_processes_reserving_one_item_never_oversell(
    production: Platform, processes: Processes, background: Background
) -> None:
    ports = [free_port() for _ in range(PROCESSES)]
    started = [
        processes.logistics(f"inventory-api-{n}", "inventory-api", "--port", str(port))
        for n, port in enumerate(ports)
    ]
    urls = [await processes.wait_for_http(p, port) for p, port in zip(started, ports, strict=True)]
    item_id = str(uuid.uuid4())
    limits = httpx.Limits(max_connections=PROCESSES * RESERVATIONS_EACH)
    async with httpx.AsyncClient(timeout=120, limits=limits) as client:
        # Not kept alive: on a busy machine the server may drop it idle (uvicorn: after 5 s)
        # just as the reservations below reuse it; they get fresh connections.
        added = await client.post(
            f"{urls[0]}/stock-items",
            json={"id": item_id, "name": "Switch 2", "quantity": STOCK},
            headers={"Connection": "close"},
        )
        assert added.status_code == 201, added.text

        async def reserve(url: str, reservation_id: str) -> int:
            response = await client.put(
                f"{url}/stock-items/{item_id}/reserve",
                json={"quantity": 1, "reservationId": reservation_id},
            )
            return response.status_code

        requests = {
            f"order-{n}-{i}": url for n, url in enumerate(urls) for i in range(RESERVATIONS_EACH)
        }
        statuses = await asyncio.gather(*(reserve(url, rid) for rid, url in requests.items()))
        stock = (await client.get(f"{urls[0]}/stock-items/{item_id}")).json()

    assert sorted(set(statuses)) == [200, 409]
    assert statuses.count(200) == STOCK
    assert (stock["quantity"], stock["reserved"]) == (0, STOCK)
    reserved_events = await scalar(
        production.engine,
        "SELECT count(*) FROM outbox WHERE name = 'inventory.stock_item.reserved'",
    )
    assert reserved_events == STOCK
    succeeded = [rid for rid, status in zip(requests, statuses, strict=True) if status == 200]
    background.start(production.relay().run)
    background.start(production.consumer(production.subscribers, name="all").run)
    await eventually(lambda: all_registered(production, succeeded), within=60, what="packages")
    await assert_applied_once(production, succeeded)
