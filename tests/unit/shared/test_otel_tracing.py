"""The handling span of a batch: a child of its first event's trace context, linked to
the other events' contexts (one transaction handles them all)."""

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from logistics_platform.shared.application.envelope import EventEnvelope
from logistics_platform.shared.infrastructure import tracing
from tests.spans import named, recording

FIRST = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
SECOND = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    with recording() as exporter:
        yield exporter


def an_event(traceparent: str | None = None) -> EventEnvelope:
    return EventEnvelope(
        event_id=f"event-{traceparent}",
        name="inventory.stock_item.reserved",
        occurred_on=datetime.now(UTC),
        aggregate_id="item",
        attributes={},
        trace_context={"traceparent": traceparent} if traceparent else None,
    )


def test_a_batch_of_one_context_is_its_child(spans: InMemorySpanExporter) -> None:
    with tracing.handling("s", [an_event(FIRST), an_event(FIRST), an_event()]):
        pass

    (span,) = named(spans, "s process")
    assert span.parent is not None
    assert (f"{span.parent.trace_id:032x}", f"{span.parent.span_id:016x}") == (
        "0af7651916cd43dd8448eb211c80319c",
        "b7ad6b7169203331",
    )
    assert span.links == ()


def test_a_batch_mixing_contexts_continues_the_first_and_links_the_others(
    spans: InMemorySpanExporter,
) -> None:
    with tracing.handling("s", [an_event(FIRST), an_event(SECOND)]):
        pass

    (span,) = named(spans, "s process")
    assert span.parent is not None
    assert f"{span.parent.trace_id:032x}" == "0af7651916cd43dd8448eb211c80319c"
    (link,) = span.links
    assert f"{link.context.trace_id:032x}" == "4bf92f3577b34da6a3ce929d0e0e4736"


def test_events_without_context_start_a_trace_of_their_own(spans: InMemorySpanExporter) -> None:
    with tracing.handling("s", [an_event()]):
        context = tracing.recording_context()

    (span,) = named(spans, "s process")
    assert span.parent is None
    assert context is not None
    assert f"{span.context.trace_id:032x}" in context  # type: ignore[union-attr]


def test_a_publish_span_hands_its_own_context_to_the_message(
    spans: InMemorySpanExporter,
) -> None:
    with tracing.sending(an_event(FIRST)) as headers:
        pass

    (span,) = named(spans, "inventory.stock_item.reserved publish")
    assert headers is not None
    assert headers["traceparent"] == (
        f"00-0af7651916cd43dd8448eb211c80319c-{span.context.span_id:016x}-01"  # type: ignore[union-attr]
    )
