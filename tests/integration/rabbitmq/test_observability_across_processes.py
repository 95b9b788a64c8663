"""Across processes (PostgreSQL, RabbitMQ): a request's correlation id reaches the
backoffice consumer's log lines, and the relay and consumers serve their metrics."""

import json
import uuid

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.integration.rabbitmq.conftest import eventually
from tests.processes import Process, Processes, free_port

pytestmark = [pytest.mark.postgres, pytest.mark.rabbitmq, pytest.mark.system]

RESERVED = "inventory.stock_item.reserved"


def metric(text: str, name: str, **labels: str) -> float:
    return sum(
        sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == name and labels.items() <= sample.labels.items()
    )


def json_lines(process: Process) -> list[dict[str, object]]:
    text = process.log.read_text(errors="replace")
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


async def test_a_correlation_id_travels_through_rabbitmq_and_the_roles_are_scraped(
    processes: Processes,
) -> None:
    api_port, relay_metrics, consumer_metrics = free_port(), free_port(), free_port()
    inventory = processes.logistics("inventory-api", "inventory-api", "--port", str(api_port))
    relay = processes.logistics("relay", "relay", METRICS_PORT=str(relay_metrics))
    consumer = processes.logistics(
        "backoffice-consumer",
        "consumer",
        "backoffice",
        METRICS_PORT=str(consumer_metrics),
        LOG_FORMAT="json",
        LOG_LEVEL="DEBUG",
    )
    url = await processes.wait_for_http(inventory, api_port)
    await processes.wait_for_log(relay, "relay started")
    await processes.wait_for_log(consumer, "consuming")

    item, correlation_id = str(uuid.uuid4()), f"req-{uuid.uuid4().hex}"
    async with httpx.AsyncClient(timeout=30) as client:
        await client.post(f"{url}/stock-items", json={"id": item, "name": "x", "quantity": 5})
        reserved = await client.put(
            f"{url}/stock-items/{item}/reserve",
            json={"quantity": 1, "reservationId": f"order-{correlation_id}"},
            headers={"X-Correlation-Id": correlation_id},
        )
        assert reserved.headers["x-correlation-id"] == correlation_id

        async def handled_in_the_consumer() -> list[dict[str, object]]:
            return [
                line
                for line in json_lines(consumer)
                if line.get("correlation_id") == correlation_id
                and line["message"] == "handling event"
                and line["subscriber"] == "backoffice.tracking"  # the catalog's handles it too
            ]

        (line,) = await eventually(handled_in_the_consumer, details=processes.logs)
        assert (line["subscriber"], line["event_name"]) == ("backoffice.tracking", RESERVED)
        assert line["role"] == "consumer-backoffice"

        tracking = {"event": RESERVED, "subscriber": "backoffice.tracking"}

        async def consumed() -> float:  # counted once the handler's transaction committed
            text = (await client.get(f"http://127.0.0.1:{consumer_metrics}/metrics")).text
            return metric(text, "logistics_events_consumed_total", **tracking)

        assert await eventually(consumed, details=processes.logs) == 1

        async def published() -> str | None:  # counted once the relay's transaction committed
            text = (await client.get(f"http://127.0.0.1:{relay_metrics}/metrics")).text
            return text if metric(text, "logistics_events_published_total") >= 2 else None

        scraped = await eventually(published, details=processes.logs)
    assert metric(scraped, "logistics_events_published_total", event=RESERVED) == 1
    assert "logistics_outbox_backlog_events" in scraped
