"""Identifiers shared by every context."""

import uuid
from dataclasses import dataclass
from typing import Self

from logistics_platform.shared.domain.errors import InvalidArgument


@dataclass(frozen=True, slots=True)
class Uuid:
    """A UUID in its canonical lowercase text form; subclasses name what it identifies."""

    value: str

    def __post_init__(self) -> None:
        try:
            canonical = str(uuid.UUID(self.value))
        except (ValueError, TypeError, AttributeError):
            raise InvalidArgument(f"{self.value!r} is not a valid UUID") from None
        object.__setattr__(self, "value", canonical)

    @classmethod
    def random(cls) -> Self:
        return cls(str(uuid.uuid4()))

    def __str__(self) -> str:
        return self.value
