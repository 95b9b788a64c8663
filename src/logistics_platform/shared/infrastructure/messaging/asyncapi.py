"""The AsyncAPI 3.0 document of the events on the broker, built from the event classes
and the subscriber table (who listens to what).

One channel per event name: its address is the routing key on the topic exchange. The
context an event is named after sends it (through its outbox and the relay); every
subscriber of the event receives it from its own queue, bound to that routing key.
"""

from collections.abc import Mapping, Sequence
from collections.abc import Set as AbstractSet
from typing import Any

from logistics_platform.shared.domain.events import DomainEvent
from logistics_platform.shared.infrastructure.messaging.event_schemas import (
    attributes_schema,
    docstring_of,
    envelope_schema,
)

_AMQP = "0.3.0"  # the AsyncAPI AMQP bindings' version
_DESCRIPTION = (
    "Domain events of the logistics platform. Each travels as JSON in the envelope"
    " `components.schemas.envelope`; its `data.attributes` follow the event's own schema."
    " Delivery is at least once: a subscriber handles each event id once. Attributes may"
    " be added to an event (never removed nor renamed), so consumers ignore attributes they"
    " do not know."
)


def asyncapi_document(
    events: Sequence[type[DomainEvent]],
    subscribers: Mapping[str, AbstractSet[str]],
    *,
    exchange: str,
    version: str,
) -> dict[str, Any]:
    """The document for ``events``, ``subscribers`` (name → event names it follows)
    and the topic ``exchange``; ``version`` is the platform's."""
    by_name = {event.EVENT_NAME: event for event in events}
    names = sorted(by_name)
    unknown = [
        f"{s} → {e}" for s, followed in subscribers.items() for e in followed - by_name.keys()
    ]
    if unknown:
        raise ValueError(f"subscribers follow events no event class declares: {unknown}")
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "Logistics platform events",
            "version": version,
            "description": _DESCRIPTION,
        },
        "defaultContentType": "application/json",
        "servers": {"rabbitmq": _server(exchange)},
        "channels": {name: _channel(name, by_name[name], exchange) for name in names},
        "operations": _operations(names, subscribers),
        "components": {
            "schemas": {
                "envelope": _embedded(envelope_schema()),
                **{name: _embedded(attributes_schema(by_name[name])) for name in names},
            },
            "messages": {name: _message(name, by_name[name]) for name in names},
        },
    }


def _server(exchange: str) -> dict[str, Any]:
    return {
        "host": "localhost:5672",
        "protocol": "amqp",
        "protocolVersion": "0.9.1",
        "description": f"RabbitMQ (RABBITMQ_URL); events go to the topic exchange `{exchange}`"
        " (RABBITMQ_EXCHANGE) with their name as routing key.",
    }


def _channel(name: str, event: type[DomainEvent], exchange: str) -> dict[str, Any]:
    description = docstring_of(event)
    return {
        "address": name,
        **({"description": description} if description else {}),
        "messages": {name: {"$ref": f"#/components/messages/{name}"}},
        "bindings": {
            "amqp": {
                "is": "routingKey",
                "exchange": {
                    "name": exchange,
                    "type": "topic",
                    "durable": True,
                    "autoDelete": False,
                    "vhost": "/",
                },
                "bindingVersion": _AMQP,
            }
        },
    }


def _operations(
    names: Sequence[str], subscribers: Mapping[str, AbstractSet[str]]
) -> dict[str, Any]:
    operations = {}
    for name in names:
        context = name.split(".")[0]
        operations[f"send.{name}"] = _operation(
            "send",
            name,
            context,
            f"The {context} context records it with the change (outbox); the relay publishes it.",
            {"deliveryMode": 2},
        )
    for subscriber, followed in subscribers.items():
        for name in sorted(followed):
            operations[f"receive.{subscriber}.{name}"] = _operation(
                "receive",
                name,
                subscriber.split(".")[0],
                f"Subscriber `{subscriber}`: its queue of that name (after RABBITMQ_QUEUE_PREFIX)"
                " is bound to this routing key.",
                {"ack": True},
            )
    return operations


def _operation(
    action: str, name: str, context: str, summary: str, binding: dict[str, Any]
) -> dict[str, Any]:
    return {
        "action": action,
        "channel": {"$ref": f"#/channels/{name}"},
        "summary": summary,
        "tags": [{"name": context}],
        "messages": [{"$ref": f"#/channels/{name}/messages/{name}"}],
        "bindings": {"amqp": binding | {"bindingVersion": _AMQP}},
    }


def _message(name: str, event: type[DomainEvent]) -> dict[str, Any]:
    description = docstring_of(event)
    payload = {
        "allOf": [
            {"$ref": "#/components/schemas/envelope"},
            {
                "type": "object",
                "properties": {
                    "data": {
                        "type": "object",
                        "properties": {
                            "type": {"const": name},
                            "attributes": {"$ref": f"#/components/schemas/{name}"},
                        },
                    }
                },
            },
        ]
    }
    return {
        "name": name,
        **({"description": description} if description else {}),
        "contentType": "application/json",
        "correlationId": {"location": "$message.payload#/meta/correlationId"},
        "payload": payload,
        "bindings": {
            "amqp": {"contentEncoding": "utf-8", "messageType": name, "bindingVersion": _AMQP}
        },
    }


def _embedded(schema: dict[str, Any]) -> dict[str, Any]:
    """A schema as the document embeds it: in AsyncAPI's own (draft-07 based) dialect."""
    return {key: value for key, value in schema.items() if key != "$schema"}
