"""One reservation, one trace (embedded): the request's server span is an ancestor of
both subscribers' handling spans, through the trace context kept in the outbox row."""

import json
from collections.abc import AsyncIterator, Iterator

import pytest
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from sqlalchemy import text

from logistics_platform.bootstrap import Platform, bootstrap
from logistics_platform.config import Settings
from tests.acceptance.conftest import Apis
from tests.acceptance.guide import add_iphones, reserve
from tests.spans import ancestors, named, recording, trace_id

RESERVE = "PUT /stock-items/{id}/reserve"
RESERVED = "inventory.stock_item.reserved"
REGISTERED = "logistics.package.registered"
LOGISTICS, TRACKING = "logistics.create_package_on_stock_item_reserved", "backoffice.tracking"


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    with recording() as exporter:
        yield exporter


@pytest.fixture
async def platform(database_url: str, spans: InMemorySpanExporter) -> AsyncIterator[Platform]:
    settings = Settings(database_url=database_url, rabbitmq_url=None, tracing="otel")
    built = await bootstrap(settings, migrate=True)
    try:
        yield built
    finally:
        await built.close()


def handling(spans: InMemorySpanExporter, subscriber: str, event: str) -> list[ReadableSpan]:
    """The subscriber's spans over a transaction that handled ``event``."""
    return [
        span
        for span in named(spans, f"{subscriber} process")
        if event in (span.attributes or {}).get("logistics.event_names", ())
    ]


async def reserved_once_traced(apis: Apis, spans: InMemorySpanExporter) -> ReadableSpan:
    await add_iphones(apis)
    await apis.settle()  # the addition's own trace, out of the way
    assert await reserve(apis, 10, "order-traced") == 200
    await apis.settle()
    (request,) = named(spans, RESERVE)
    return request


async def test_a_reservation_is_one_trace_from_the_request_to_both_subscribers(
    apis: Apis, spans: InMemorySpanExporter
) -> None:
    request = await reserved_once_traced(apis, spans)

    for subscriber in (LOGISTICS, TRACKING):
        (handled,) = handling(spans, subscriber, RESERVED)
        assert trace_id(handled) == trace_id(request)
        assert request in ancestors(spans, handled), subscriber
    (carrier,) = await trace_contexts(apis.platform, RESERVED)
    assert carrier["traceparent"].split("-")[1] == f"{trace_id(request):032x}"


async def test_what_a_subscriber_records_continues_the_trace(
    apis: Apis, spans: InMemorySpanExporter
) -> None:
    request = await reserved_once_traced(apis, spans)

    (logistics,) = handling(spans, LOGISTICS, RESERVED)
    (tracked,) = handling(spans, TRACKING, REGISTERED)  # the package the logistics one made
    assert trace_id(tracked) == trace_id(request)
    assert logistics in ancestors(spans, tracked) or any(
        link.context.span_id == logistics.context.span_id  # type: ignore[union-attr]
        for link in tracked.links
    )


async def trace_contexts(platform: Platform, event: str) -> list[dict[str, str]]:
    async with platform.engine.connect() as connection:
        rows = await connection.execute(
            text("SELECT trace_context FROM outbox WHERE name = :name"), {"name": event}
        )
        return [json.loads(row.trace_context) for row in rows]
