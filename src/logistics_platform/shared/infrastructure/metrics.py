"""The platform's Prometheus metrics, declared once, in the process's default registry.

Each process role serves its own, one process per role and replica; only ``serve`` and
its delivery process share theirs (multiprocess mode, ``entrypoints/delivery_process``),
where a gauge shows the value last set by either. Events are counted by event name and
subscriber at one seam each: recording (the unit of work's commit), publishing (the
relay, once the broker confirmed), and handling (the two transports: in-process delivery
and the RabbitMQ consumer)."""

import collections
from collections.abc import Iterable
from datetime import UTC, datetime

from prometheus_client import Counter, Gauge, Histogram

from logistics_platform.shared.application.envelope import EventEnvelope

HTTP_REQUEST_DURATION = Histogram(
    "logistics_http_request_duration_seconds",
    "HTTP requests by API, method, route template and status",
    ["api", "method", "route", "status"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
EVENTS_RECORDED = Counter(
    "logistics_events_recorded_total", "Events written to the outbox", ["event"]
)
EVENTS_PUBLISHED = Counter(
    "logistics_events_published_total", "Events the broker confirmed (relay)", ["event"]
)
EVENTS_CONSUMED = Counter(
    "logistics_events_consumed_total",
    "Events a subscriber handled (or found handled already)",
    ["event", "subscriber"],
)
EVENTS_RETRIED = Counter(
    "logistics_events_retried_total",
    "Failed handlings to be tried again",
    ["event", "subscriber"],
)
EVENTS_DEAD_LETTERED = Counter(
    "logistics_events_dead_lettered_total",
    "Events given up after their last attempt",
    ["event", "subscriber"],
)
HANDLING_DURATION = Histogram(
    "logistics_event_handling_duration_seconds",
    "Time to handle an event, its transaction included (a batch's events share its time)",
    ["subscriber"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
SUBSCRIBER_LAG = Gauge(
    "logistics_subscriber_lag_seconds",
    "Age of the last event a subscriber handled, when it handled it (projection lag)",
    ["subscriber"],
    multiprocess_mode="mostrecent",
)
SUBSCRIBER_BACKLOG = Gauge(
    "logistics_subscriber_backlog_events",
    "Events a subscriber follows recorded after its checkpoint (in-process delivery)",
    ["subscriber"],
    multiprocess_mode="mostrecent",
)
OUTBOX_BACKLOG = Gauge(
    "logistics_outbox_backlog_events",
    "Unpublished outbox events (relay)",
    multiprocess_mode="mostrecent",
)
OUTBOX_OLDEST_AGE = Gauge(
    "logistics_outbox_oldest_unpublished_age_seconds",
    "Age of the oldest unpublished outbox event, 0 when none (relay)",
    multiprocess_mode="mostrecent",
)


def count(counter: Counter, envelopes: Iterable[EventEnvelope], **labels: str) -> None:
    for name, events in collections.Counter(envelope.name for envelope in envelopes).items():
        counter.labels(event=name, **labels).inc(events)


def handled(subscriber: str, envelopes: list[EventEnvelope], seconds: float) -> None:
    """``envelopes`` were handled by ``subscriber``, together, in ``seconds``."""
    count(EVENTS_CONSUMED, envelopes, subscriber=subscriber)
    histogram = HANDLING_DURATION.labels(subscriber=subscriber)
    for _ in envelopes:
        histogram.observe(seconds)
    if envelopes:
        age = datetime.now(UTC) - envelopes[-1].occurred_on
        SUBSCRIBER_LAG.labels(subscriber=subscriber).set(max(age.total_seconds(), 0.0))
