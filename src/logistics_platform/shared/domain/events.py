"""Domain events: immutable facts named in the past tense, and the registry of their names."""

import functools
from collections.abc import Mapping
from dataclasses import MISSING, Field, dataclass, field, fields
from datetime import UTC, datetime
from typing import Any, ClassVar, Self

from logistics_platform.shared.domain.errors import InvalidArgument
from logistics_platform.shared.domain.identifiers import time_ordered_uuid


def utc_now() -> datetime:
    return datetime.now(UTC)


def new_event_id() -> str:
    return time_ordered_uuid()


@dataclass(frozen=True, kw_only=True)
class DomainEvent:
    """Something that happened to an aggregate.

    Subclasses set ``EVENT_NAME`` (the routing key, ``<context>.<aggregate>.<verb>``) and
    declare their own fields; those travel as the envelope's camelCase ``attributes``.
    """

    EVENT_NAME: ClassVar[str]
    _registry: ClassVar[dict[str, type["DomainEvent"]]] = {}

    aggregate_id: str
    event_id: str = field(default_factory=new_event_id)
    occurred_on: datetime = field(default_factory=utc_now)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        name = cls.__dict__.get("EVENT_NAME")
        if name is None:
            return
        known = DomainEvent._registry.get(name)
        if known is not None and known.__qualname__ != cls.__qualname__:
            raise TypeError(f"event name {name!r} is already used by {known.__qualname__}")
        DomainEvent._registry[name] = cls

    @classmethod
    def class_for(cls, name: str) -> type["DomainEvent"]:
        """The event class registered under ``name``."""
        try:
            return cls._registry[name]
        except KeyError:
            raise InvalidArgument(f"unknown event name {name!r}") from None

    @classmethod
    def registered_names(cls) -> frozenset[str]:
        return frozenset(cls._registry)

    def to_primitives(self) -> dict[str, Any]:
        """The event's attributes as JSON-ready primitives: ``id`` (the aggregate's) and
        every field of the subclass under its camelCase name."""
        return {
            "id": self.aggregate_id,
            **{_camel(f.name): getattr(self, f.name) for f in self._attribute_fields()},
        }

    @classmethod
    def from_primitives(
        cls,
        *,
        aggregate_id: str,
        event_id: str,
        occurred_on: datetime,
        attributes: Mapping[str, Any],
    ) -> Self:
        """Rebuild the event from what :meth:`to_primitives` produced."""
        values = {}
        for attribute in cls._attribute_fields():
            key = _camel(attribute.name)
            if key in attributes:
                values[attribute.name] = attributes[key]
            elif attribute.default is MISSING:
                # Attributes added to an event later carry defaults, so that events
                # recorded before them (outbox, event log) still read.
                raise InvalidArgument(f"{cls.EVENT_NAME} lacks the attribute '{key}'")
        return cls(aggregate_id=aggregate_id, event_id=event_id, occurred_on=occurred_on, **values)

    @classmethod
    def attribute_fields(cls) -> dict[str, Field[Any]]:
        """The subclass's own fields under their attribute (camelCase) names, in order."""
        return {_camel(f.name): f for f in cls._attribute_fields()}

    @classmethod
    def _attribute_fields(cls) -> tuple[Field[Any], ...]:
        return tuple(f for f in fields(cls) if f.name not in _ENVELOPE_FIELDS)


_ENVELOPE_FIELDS = frozenset({"aggregate_id", "event_id", "occurred_on"})


@functools.cache  # a handful of field names, converted for every event
def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)
