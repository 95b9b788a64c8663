"""JSON Schemas (draft 2020-12) of the events on the wire, read from the event classes.

An event's schema describes its envelope's ``attributes``: ``id`` (the aggregate's) and
each field under its camelCase name, typed from the dataclass annotations, required
unless the field has a default. Every schema allows additional properties: an event
gains attributes over time (with defaults, see ``DomainEvent.from_primitives``), and a
consumer validating against an older catalogue must keep accepting the newer events.

The schemas use only keywords that mean the same in draft-07, so that the AsyncAPI
document can embed them as its (draft-07 based) schema objects unchanged.
"""

import inspect
import types
import typing
from dataclasses import MISSING, Field
from typing import Any

from logistics_platform.shared.domain.events import DomainEvent

DRAFT_2020_12 = "https://json-schema.org/draft/2020-12/schema"
_PRIMITIVES: dict[object, str] = {str: "string", int: "integer", float: "number", bool: "boolean"}
# The producer's own format (see ``envelope.format_timestamp``): UTC, microseconds, "Z".
_TIMESTAMP_PATTERN = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$"


def attributes_schema(event: type[DomainEvent]) -> dict[str, Any]:
    """The schema of ``event``'s envelope attributes (what ``to_primitives`` returns)."""
    hints = typing.get_type_hints(event)
    fields = event.attribute_fields()
    properties: dict[str, Any] = {
        "id": {"type": "string", "description": "The aggregate's id (the envelope's aggregateId)"}
    }
    for name, field in fields.items():
        where = f"{event.EVENT_NAME}: attribute {name!r}"
        properties[name] = _type_schema(hints[field.name], where) | _default(field)
    required = ["id", *(name for name, field in fields.items() if _is_required(field))]
    return {
        "$schema": DRAFT_2020_12,
        "title": event.EVENT_NAME,
        **({"description": description} if (description := docstring_of(event)) else {}),
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": True,
    }


def envelope_schema() -> dict[str, Any]:
    """The schema of the envelope every event travels in (SPEC §3)."""
    text = {"type": "string"}
    data = _object(
        {
            "id": text | {"format": "uuid", "description": "The event's id: handled once each"},
            "type": text | {"description": "The event's name, also its routing key"},
            "occurredOn": text | {"format": "date-time", "pattern": _TIMESTAMP_PATTERN},
            "aggregateId": text,
            "attributes": {"type": "object", "description": "As the event's own schema says"},
        },
    )
    meta = _object(
        {
            "correlationId": text | {"description": "Shared by every event one request caused"},
            "causationId": {"type": ["string", "null"], "description": "The causing event's id"},
        },
    )
    return {
        "$schema": DRAFT_2020_12,
        "title": "event envelope",
        "description": "What the outbox stores and the broker carries, as UTF-8 JSON.",
        **_object({"data": data, "meta": meta}),
    }


def docstring_of(event: type[DomainEvent]) -> str | None:
    """The class's own docstring as one line of Markdown (not the signature that
    ``dataclass`` makes up for a class without one)."""
    doc = event.__doc__
    if doc is None or doc.startswith(f"{event.__name__}("):
        return None
    return " ".join(inspect.cleandoc(doc).replace("``", "`").split())  # Markdown, one line


def _object(properties: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": True,
    }


def _type_schema(hint: object, where: str) -> dict[str, Any]:
    if hint in _PRIMITIVES:
        return {"type": _PRIMITIVES[hint]}
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (types.UnionType, typing.Union) and len(args) == 2 and type(None) in args:
        (inner,) = (arg for arg in args if arg is not type(None))
        if inner in _PRIMITIVES:
            return {"type": [_PRIMITIVES[inner], "null"]}
    if (origin is list and len(args) == 1) or (origin is tuple and args[1:] == (Ellipsis,)):
        return {"type": "array", "items": _type_schema(args[0], where)}
    raise TypeError(
        f"{where}: no JSON Schema for {hint!r}; use str, int, float, bool, X | None, "
        "list[X] or tuple[X, ...]"
    )


def _default(field: Field[Any]) -> dict[str, Any]:
    if field.default is MISSING or not isinstance(field.default, str | int | float | None):
        return {}
    return {"default": field.default}


def _is_required(field: Field[Any]) -> bool:
    return field.default is MISSING and field.default_factory is MISSING
