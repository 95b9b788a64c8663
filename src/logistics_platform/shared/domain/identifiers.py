"""Identifiers shared by every context."""

import os
import time
import uuid
from dataclasses import dataclass
from typing import Self

from logistics_platform.shared.domain.errors import InvalidArgument


def time_ordered_uuid(*, milliseconds: int | None = None, random: bytes | None = None) -> str:
    """A new UUID of version 7 (RFC 9562): the milliseconds since 1970, then 74 random bits.

    The ids the platform makes key tables (packages, processed events, the outbox): made
    in time order, they sort in time order, so each index grows at one end, where its
    pages are at hand, rather than touching a random page per row (ADR 0015)."""
    if milliseconds is None:
        milliseconds = time.time_ns() // 1_000_000
    bits = milliseconds << 80 | int.from_bytes(random or os.urandom(10))
    bits = bits & ~(0xF << 76) | 0x7 << 76  # version 7
    bits = bits & ~(0x3 << 62) | 0x2 << 62  # the RFC's variant
    return str(uuid.UUID(int=bits))


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
    def new(cls) -> Self:
        return cls(time_ordered_uuid())

    def __str__(self) -> str:
        return self.value
