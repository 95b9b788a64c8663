"""Spans finished in this test process, kept in memory (the SDK's exporter), and the
walk from a span up through its parents."""

import contextlib
from collections.abc import Iterator

from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from logistics_platform.shared.infrastructure import otel, tracing

_EXPORTER = InMemorySpanExporter()


@contextlib.contextmanager
def recording() -> Iterator[InMemorySpanExporter]:
    """Tracing on, into memory, for a while (a bootstrap with TRACING=otel keeps it on)."""
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(_EXPORTER))
    otel.start(provider)  # the first test's provider serves the process: same exporter
    _EXPORTER.clear()
    try:
        yield _EXPORTER
    finally:
        tracing.install(None)
        _EXPORTER.clear()


def named(exporter: InMemorySpanExporter, name: str) -> list[ReadableSpan]:
    return [span for span in exporter.get_finished_spans() if span.name == name]


def ancestors(exporter: InMemorySpanExporter, span: ReadableSpan) -> list[ReadableSpan]:
    """The span's parent, its parent's, and so on, as far as they were recorded."""
    by_id = {s.context.span_id: s for s in exporter.get_finished_spans() if s.context}
    chain = []
    while span.parent is not None and span.parent.span_id in by_id:
        span = by_id[span.parent.span_id]
        chain.append(span)
    return chain


def trace_id(span: ReadableSpan) -> int:
    assert span.context is not None
    return span.context.trace_id
