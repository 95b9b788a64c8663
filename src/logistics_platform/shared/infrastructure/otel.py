"""OpenTelemetry behind :mod:`tracing`'s hooks (the optional extra ``otel``; imported only
when ``TRACING=otel``). Spans go to OTLP over HTTP: ``OTEL_EXPORTER_OTLP_ENDPOINT``,
``OTEL_SERVICE_NAME`` and the SDK's other standard variables apply."""

import json
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from opentelemetry.instrumentation.sqlalchemy.engine import EngineTracer
from opentelemetry.metrics import get_meter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.trace import Link, SpanKind
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator
from sqlalchemy.ext.asyncio import AsyncEngine

from logistics_platform.shared.application.envelope import EventEnvelope
from logistics_platform.shared.infrastructure import tracing

_W3C = TraceContextTextMapPropagator()


class OpenTelemetryTracing(tracing.Tracing):
    def __init__(self, provider: trace.TracerProvider) -> None:
        self._provider = provider
        self._tracer = provider.get_tracer("logistics_platform")

    def recording_context(self) -> str | None:
        carrier: dict[str, str] = {}
        _W3C.inject(carrier)
        return json.dumps(carrier, separators=(",", ":")) if carrier else None

    @contextmanager
    def sending(self, envelope: EventEnvelope) -> Iterator[dict[str, str]]:
        with self._tracer.start_as_current_span(
            f"{envelope.name} publish",
            context=_context_of(envelope),
            kind=SpanKind.PRODUCER,
            attributes=_attributes(envelope),
        ):
            headers: dict[str, str] = {}
            _W3C.inject(headers)
            yield headers

    @contextmanager
    def handling(self, subscriber: str, envelopes: Sequence[EventEnvelope]) -> Iterator[None]:
        # One transaction handles the batch, so one span: a child of the first event's
        # context, linked to the others'. (A root linked to all would cut every trace at
        # each batch, and batches often mix a request's event with what a first
        # subscriber recorded in reaction to it.)
        traced = list(
            {json.dumps(e.trace_context): e for e in envelopes if e.trace_context}.values()
        )
        with self._tracer.start_as_current_span(
            f"{subscriber} process",
            context=_context_of(traced[0]) if traced else otel_context.Context(),
            kind=SpanKind.CONSUMER,
            links=[_link(e) for e in traced[1:]],
            attributes={
                "messaging.consumer.group.name": subscriber,
                "messaging.batch.message_count": len(envelopes),
                "logistics.event_names": [e.name for e in envelopes],
                "logistics.event_ids": [e.event_id for e in envelopes],
            },
        ):
            yield

    def instrument_app(self, app: Any) -> None:
        FastAPIInstrumentor.instrument_app(app, tracer_provider=self._provider)

    def instrument_engine(self, engine: AsyncEngine) -> None:
        usage = get_meter(__name__).create_up_down_counter("db.client.connections.usage")
        EngineTracer(self._tracer, engine.sync_engine, usage)  # type: ignore[no-untyped-call]


def _context_of(envelope: EventEnvelope) -> otel_context.Context | None:
    return _W3C.extract(envelope.trace_context) if envelope.trace_context else None


def _link(envelope: EventEnvelope) -> Link:
    return Link(trace.get_current_span(_context_of(envelope)).get_span_context())


def _attributes(envelope: EventEnvelope) -> dict[str, str]:
    return {"messaging.message.id": envelope.event_id, "messaging.destination.name": envelope.name}


_started: OpenTelemetryTracing | None = None


def start(provider: TracerProvider | None = None) -> OpenTelemetryTracing:
    """Trace this process (once: later calls answer the tracing started first). Without
    ``provider``, spans are exported in batches over OTLP/HTTP."""
    global _started  # noqa: PLW0603 - one tracer provider per process
    if _started is None:
        if provider is None:
            name = os.environ.get("OTEL_SERVICE_NAME", "logistics-platform")
            provider = TracerProvider(resource=Resource.create({"service.name": name}))
            provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
            trace.set_tracer_provider(provider)
        _started = OpenTelemetryTracing(provider)
    tracing.install(_started)
    return _started
