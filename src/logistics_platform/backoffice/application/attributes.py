"""Reading another context's event by name and attributes (never by its class): each
reader refuses a missing or mistyped attribute with ``InvalidArgument`` (dead-lettered)."""

from typing import Any

from logistics_platform.shared.application.envelope import EventEnvelope
from logistics_platform.shared.domain.errors import InvalidArgument


def attribute(event: EventEnvelope, name: str) -> Any:
    if name not in event.attributes:
        raise InvalidArgument(f"{event.name} {event.event_id} lacks {name!r}")
    return event.attributes[name]


def text(event: EventEnvelope, name: str) -> str:
    value = attribute(event, name)
    if not isinstance(value, str) or not value:
        raise InvalidArgument(f"{event.name} {event.event_id}: {name!r} must be a non-empty text")
    return value


def optional_text(event: EventEnvelope, name: str) -> str | None:
    """A text the event may leave out or null (attributes added with a default)."""
    if event.attributes.get(name) is None:
        return None
    return text(event, name)


def whole_number(event: EventEnvelope, name: str, *, default: int | None = None) -> int:
    if default is not None and name not in event.attributes:
        return default
    value = attribute(event, name)
    if type(value) is not int:
        raise InvalidArgument(f"{event.name} {event.event_id}: {name!r} must be a whole number")
    return value


def version(event: EventEnvelope, *, default: int | None = None, first: int = 1) -> int:
    """The aggregate's version after the event: ``first`` or more (a package is 1 when
    registered; a stock item is 0 when added, and may be low on stock from the start)."""
    value = whole_number(event, "version", default=default)
    if value < first:
        raise InvalidArgument(f"{event.name} {event.event_id}: 'version' must be {first} or more")
    return value
