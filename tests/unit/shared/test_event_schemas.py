from dataclasses import dataclass, field

import pytest
from jsonschema import Draft202012Validator

from logistics_platform.shared.domain.events import DomainEvent
from logistics_platform.shared.infrastructure.messaging.event_schemas import (
    attributes_schema,
    envelope_schema,
)


def unregistered(event: type[DomainEvent], name: str) -> type[DomainEvent]:
    """An event class for these tests only: named after its creation, so that it stays
    out of the registry the platform's catalogue is built from."""
    event.EVENT_NAME = name
    return event


@dataclass(frozen=True, kw_only=True)
class _ParcelWeighed(DomainEvent):
    """Weighed at the ``depot``."""

    grams: int
    depot: str
    scale_id: str | None = None
    kind: str = "standard"
    fragile: bool = False
    labels: tuple[str, ...] = field(default_factory=tuple)


ParcelWeighed = unregistered(_ParcelWeighed, "test.parcel.weighed")


@dataclass(frozen=True, kw_only=True)
class _Undocumented(DomainEvent):
    note: str


Undocumented = unregistered(_Undocumented, "test.parcel.undocumented")


@dataclass(frozen=True, kw_only=True)
class _Untyped(DomainEvent):
    payload: dict[str, int]


Untyped = unregistered(_Untyped, "test.parcel.untyped")


def test_the_test_events_stay_out_of_the_registry() -> None:
    assert "test.parcel.weighed" not in DomainEvent.registered_names()


def test_attributes_are_typed_camel_case_and_required_unless_they_have_a_default() -> None:
    schema = attributes_schema(ParcelWeighed)
    assert schema["properties"] == {
        "id": {"type": "string", "description": "The aggregate's id (the envelope's aggregateId)"},
        "grams": {"type": "integer"},
        "depot": {"type": "string"},
        "scaleId": {"type": ["string", "null"], "default": None},
        "kind": {"type": "string", "default": "standard"},
        "fragile": {"type": "boolean", "default": False},
        "labels": {"type": "array", "items": {"type": "string"}},
    }
    assert schema["required"] == ["id", "grams", "depot"]
    assert schema["title"] == "test.parcel.weighed"
    assert schema["additionalProperties"] is True


def test_the_description_is_the_class_docstring_in_markdown() -> None:
    assert attributes_schema(ParcelWeighed)["description"] == "Weighed at the `depot`."
    # Not the signature dataclass writes into a class without a docstring.
    assert "description" not in attributes_schema(Undocumented)


def test_an_attribute_type_json_cannot_carry_is_refused_with_its_name() -> None:
    with pytest.raises(TypeError, match=r"test.parcel.untyped: attribute 'payload'"):
        attributes_schema(Untyped)


def test_the_schema_accepts_what_the_event_sends_and_refuses_what_it_never_would() -> None:
    validator = Draft202012Validator(attributes_schema(ParcelWeighed))
    sent = ParcelWeighed(aggregate_id="p-1", grams=1200, depot="LYON", labels=("a",))
    validator.validate(sent.to_primitives() | {"labels": ["a"], "addedLater": 1})
    assert not validator.is_valid({"id": "p-1", "grams": "heavy", "depot": "LYON"})
    assert not validator.is_valid({"id": "p-1", "grams": 1200})
    assert not validator.is_valid({"grams": 1200, "depot": "LYON"})


def test_the_envelope_schema_requires_the_spec_fields() -> None:
    schema = envelope_schema()
    Draft202012Validator.check_schema(schema)
    data, meta = schema["properties"]["data"], schema["properties"]["meta"]
    assert data["required"] == ["id", "type", "occurredOn", "aggregateId", "attributes"]
    assert meta["required"] == ["correlationId", "causationId"]
    assert schema["required"] == ["data", "meta"]
