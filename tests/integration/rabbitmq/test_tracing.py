"""One reservation, one trace (production mode): from the request's server span through
the relay's publish span (its context in the message headers) to both consumers."""

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from asgi_lifespan import LifespanManager
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from logistics_platform.bootstrap import Platform, bootstrap
from logistics_platform.config import Settings
from logistics_platform.entrypoints.http.apps import create_inventory_app
from tests.integration.rabbitmq.conftest import Background, eventually
from tests.spans import ancestors, named, recording, trace_id

pytestmark = [pytest.mark.postgres, pytest.mark.rabbitmq]

RESERVED = "inventory.stock_item.reserved"
SUBSCRIBERS = ("logistics.create_package_on_stock_item_reserved", "backoffice.tracking")


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    with recording() as exporter:
        yield exporter


@pytest.fixture
async def traced(settings: Settings, spans: InMemorySpanExporter) -> AsyncIterator[Platform]:
    platform = await bootstrap(settings.model_copy(update={"tracing": "otel"}), migrate=False)
    try:
        yield platform
    finally:
        await platform.close()


async def test_a_reservation_is_one_trace_through_the_relay_and_rabbitmq(
    traced: Platform, background: Background, spans: InMemorySpanExporter
) -> None:
    background.start(traced.relay().run)
    consumer = traced.consumer(traced.subscribers, name="all")
    background.start(consumer.run)
    await asyncio.wait_for(consumer.started.wait(), 60)
    app = create_inventory_app(traced)
    async with (
        LifespanManager(app) as manager,
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=manager.app), base_url="http://test"
        ) as client,
    ):
        item = str(uuid.uuid4())
        added = await client.post("/stock-items", json={"id": item, "name": "x", "quantity": 5})
        assert added.status_code == 201, added.text
        reserved = await client.put(
            f"/stock-items/{item}/reserve", json={"quantity": 1, "reservationId": "order-1"}
        )
        assert reserved.status_code == 200, reserved.text

    async def consumed_by_both() -> list[ReadableSpan] | None:
        found = [handling(spans, subscriber) for subscriber in SUBSCRIBERS]
        return [one for (one,) in found] if all(len(f) == 1 for f in found) else None

    (request,) = named(spans, "PUT /stock-items/{id}/reserve")
    consumed = await eventually(consumed_by_both, what="both consumers' spans")
    (published,) = named(spans, f"{RESERVED} publish")
    assert request in ancestors(spans, published)
    for span in consumed:
        assert trace_id(span) == trace_id(request)
        assert published in ancestors(spans, span), span.name


def handling(spans: InMemorySpanExporter, subscriber: str) -> list[ReadableSpan]:
    """The subscriber's spans over the reservation's event."""
    return [
        span
        for span in named(spans, f"{subscriber} process")
        if RESERVED in (span.attributes or {}).get("logistics.event_names", ())
    ]
