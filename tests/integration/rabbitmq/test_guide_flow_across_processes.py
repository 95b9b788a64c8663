import uuid

import httpx
import pytest

from tests.integration.rabbitmq.conftest import eventually
from tests.processes import Processes, free_port

pytestmark = [pytest.mark.postgres, pytest.mark.rabbitmq, pytest.mark.system]


async def test_the_guide_flow_works_across_separate_processes(processes: Processes) -> None:
    inventory_port, backoffice_port = free_port(), free_port()
    inventory = processes.logistics("inventory-api", "inventory-api", "--port", str(inventory_port))
    backoffice = processes.logistics(
        "backoffice-api", "backoffice-api", "--port", str(backoffice_port)
    )
    relay = processes.logistics("relay", "relay")
    consumers = [
        processes.logistics("logistics-consumer", "consumer", "logistics"),
        processes.logistics("backoffice-consumer", "consumer", "backoffice"),
    ]
    inventory_url = await processes.wait_for_http(inventory, inventory_port)
    backoffice_url = await processes.wait_for_http(backoffice, backoffice_port)
    # Started, so that the wait for the tracking view below is one for the events alone.
    await processes.wait_for_log(relay, "relay started")
    for consumer in consumers:
        await processes.wait_for_log(consumer, "consuming")

    await _the_guide_flow(inventory_url, backoffice_url, processes)


async def test_serve_runs_the_guide_flow_on_postgres_and_rabbitmq(processes: Processes) -> None:
    names = ("INVENTORY_PORT", "BACKOFFICE_PORT", "HEALTH_PORT", "LOGISTICS_PORT")
    ports = {name: free_port() for name in names}  # none on its default: 3000-3003 may be taken
    serve = processes.logistics("serve", "serve", **{k: str(v) for k, v in ports.items()})
    inventory_url = await processes.wait_for_http(serve, ports["INVENTORY_PORT"])
    backoffice_url = await processes.wait_for_http(serve, ports["BACKOFFICE_PORT"])
    await processes.wait_for_log(serve, "relay started")
    await processes.wait_for_log(serve, "consuming")

    await _the_guide_flow(inventory_url, backoffice_url, processes)


async def _the_guide_flow(inventory_url: str, backoffice_url: str, processes: Processes) -> None:
    """Add stock, reserve, and see the package in the tracking view (the guide's curls)."""
    item_id, reservation_id = str(uuid.uuid4()), f"order-{uuid.uuid4().hex[:8]}"
    async with httpx.AsyncClient(timeout=30) as client:
        added = await client.post(
            f"{inventory_url}/stock-items",
            json={"id": item_id, "name": "iPhone 15 Pro", "quantity": 100},
        )
        assert added.status_code == 201, added.text
        reserved = await client.put(
            f"{inventory_url}/stock-items/{item_id}/reserve",
            json={"quantity": 10, "reservationId": reservation_id},
        )
        assert reserved.status_code == 200, reserved.text

        async def registered() -> dict[str, object] | None:
            # Each event has its own queue: the package may be projected before the
            # reservation, so wait for the view to be complete, not merely registered.
            response = await client.get(f"{backoffice_url}/tracking/{reservation_id}")
            body: dict[str, object] = response.json()
            complete = response.status_code == 200 and None not in (
                body["reservedQuantity"],
                body["stockItemName"],
            )
            return body if complete and body["status"] == "registered" else None

        view = await eventually(registered, what="the tracking view", details=processes.logs)
        stock = (await client.get(f"{inventory_url}/stock-items/{item_id}")).json()

    assert view["stockItemName"] == "iPhone 15 Pro"
    assert view["reservedQuantity"] == 10
    assert isinstance(view["trackingNumber"], str)
    assert len(view["trackingNumber"]) == 10
    assert stock["quantity"] == 90
    assert stock["reserved"] == 10
