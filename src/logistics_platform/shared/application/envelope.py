"""The envelope every event travels in: stored in the outbox, sent on the wire, replayed.

Shape (the product's wire contract, kept from the guide the platform was first described in)::

    {"data": {"id", "type", "occurredOn", "aggregateId", "attributes"},
     "meta": {"correlationId", "causationId"}}
"""

import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from logistics_platform.shared.domain.errors import InvalidArgument
from logistics_platform.shared.domain.events import DomainEvent

_TIMESTAMP = "%Y-%m-%dT%H:%M:%S.%fZ"


def format_timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime(_TIMESTAMP)


def parse_timestamp(text: str) -> datetime:
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class EventEnvelope:
    """An event as other contexts see it: a name and primitive attributes, no domain class."""

    event_id: str
    name: str
    occurred_on: datetime
    aggregate_id: str
    attributes: Mapping[str, Any]
    correlation_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    causation_id: str | None = None
    # W3C trace context of the span that recorded it (traceparent, tracestate): it travels
    # beside the envelope (outbox column, message headers), never in its JSON.
    trace_context: Mapping[str, str] | None = field(default=None, compare=False)

    @classmethod
    def wrap(
        cls, event: DomainEvent, *, correlation_id: str, causation_id: str | None = None
    ) -> "EventEnvelope":
        return cls(
            event_id=event.event_id,
            name=event.EVENT_NAME,
            occurred_on=event.occurred_on,
            aggregate_id=event.aggregate_id,
            attributes=event.to_primitives(),
            correlation_id=correlation_id,
            causation_id=causation_id,
        )

    def to_json(self) -> str:
        return json.dumps(
            {
                "data": {
                    "id": self.event_id,
                    "type": self.name,
                    "occurredOn": format_timestamp(self.occurred_on),
                    "aggregateId": self.aggregate_id,
                    "attributes": dict(self.attributes),
                },
                "meta": {"correlationId": self.correlation_id, "causationId": self.causation_id},
            },
            separators=(",", ":"),
        )

    @classmethod
    def from_json(cls, text: str | bytes) -> "EventEnvelope":
        """Parse an envelope; anything malformed is an :class:`InvalidArgument`."""
        try:
            document = json.loads(text)
            data, meta = document["data"], document.get("meta") or {}
            return cls(
                event_id=str(data["id"]),
                name=str(data["type"]),
                occurred_on=parse_timestamp(data["occurredOn"]),
                aggregate_id=str(data["aggregateId"]),
                attributes=dict(data["attributes"]),
                correlation_id=str(meta.get("correlationId") or data["id"]),
                causation_id=meta.get("causationId"),
            )
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            raise InvalidArgument(f"malformed event envelope: {error}") from None

    def to_domain_event(self) -> DomainEvent:
        """The registered domain class for this envelope (for the context that owns it)."""
        return DomainEvent.class_for(self.name).from_primitives(
            aggregate_id=self.aggregate_id,
            event_id=self.event_id,
            occurred_on=self.occurred_on,
            attributes=self.attributes,
        )
