"""Trace context across the outbox, behind a switch: off (the default), each hook costs
a global lookup and nothing is imported; ``TRACING=otel`` installs OpenTelemetry's
(:mod:`logistics_platform.shared.infrastructure.otel`).

The hooks sit at the seams an event crosses: recorded (the current W3C context goes into
its outbox row), published (the relay's span, carried in the message headers), handled
(the subscriber's span, a child of the context the event carries)."""

import contextlib
from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from typing import Any, Protocol

from logistics_platform.shared.application.envelope import EventEnvelope

Carrier = Mapping[str, str]  # W3C trace context: traceparent (and tracestate)
_NOTHING: AbstractContextManager[Any] = contextlib.nullcontext()


class Tracing(Protocol):
    def recording_context(self) -> str | None:
        """The current context, serialized for an outbox row (None outside a span)."""

    def sending(self, envelope: EventEnvelope) -> AbstractContextManager[dict[str, str]]:
        """A publish span, child of the envelope's context; yields the headers carrying it."""

    def handling(
        self, subscriber: str, envelopes: Sequence[EventEnvelope]
    ) -> AbstractContextManager[None]:
        """A subscriber's span over one transaction's events."""

    def instrument_app(self, app: Any) -> None:
        """Server spans for an ASGI (FastAPI) application."""


_tracing: Tracing | None = None


def install(tracing: Tracing | None) -> None:
    """Trace with ``tracing`` from now on (None: stop tracing)."""
    global _tracing  # noqa: PLW0603 - one switch per process, set at start-up
    _tracing = tracing


def enabled() -> bool:
    return _tracing is not None


def recording_context() -> str | None:
    return None if _tracing is None else _tracing.recording_context()


def sending(envelope: EventEnvelope) -> AbstractContextManager[dict[str, str] | None]:
    return _NOTHING if _tracing is None else _tracing.sending(envelope)


def handling(subscriber: str, envelopes: Sequence[EventEnvelope]) -> AbstractContextManager[None]:
    return _NOTHING if _tracing is None else _tracing.handling(subscriber, envelopes)


def instrument_app(app: Any) -> None:
    if _tracing is not None:
        _tracing.instrument_app(app)
