"""Dead letters: events a subscriber gave up on, kept for an operator to inspect and replay."""

import abc
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class DeadLetter:
    subscriber: str
    event_id: str
    event_name: str
    attempts: int
    reason: str
    failed_at: datetime | None


@dataclass(frozen=True, slots=True)
class Republished:
    """What a re-publication did: events handed back, and those that failed again."""

    republished: int
    failed: int = 0


class DeadLetters(abc.ABC):
    """Where events that failed every attempt wait, per subscriber."""

    @abc.abstractmethod
    async def peek(self, subscriber: str | None = None) -> list[DeadLetter]:
        """The dead letters, oldest first, of one subscriber or of all; changes nothing."""

    @abc.abstractmethod
    async def republish(
        self, subscriber: str | None = None, event_id: str | None = None
    ) -> Republished:
        """Give the matching dead letters to their subscriber again (after a fix). Idempotent
        subscribers make this safe even for events that were in fact handled."""
