"""A webhook delivery: one event for one subscription, its attempts and when to try again."""

import random
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Self

from logistics_platform.shared.domain.errors import Conflict
from logistics_platform.shared.domain.identifiers import time_ordered_uuid


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED_RETRYING = "failed-retrying"
    DEAD = "dead"


@dataclass(frozen=True, slots=True)
class Backoff:
    """When to try again: ``base`` seconds after the first failure, doubling each time up
    to ``most``, each pause shortened by up to half at random (so that the deliveries an
    outage failed together do not all come back at once); dead after ``max_attempts``."""

    base: float
    max_attempts: int
    most: float = 3600.0

    def pause(self, attempts: int, retry_after: float | None = None, *, jitter: float) -> float:
        """The pause after ``attempts`` failed ones; a receiver's Retry-After is honoured
        up to ``most``. ``jitter`` is in [0, 1)."""
        pause: float = min(self.base * 2.0 ** (attempts - 1), self.most) * (1 - jitter / 2)
        if retry_after is not None:
            pause = max(pause, min(retry_after, self.most))
        return pause


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one attempt got: a status code, or an error (network, timeout, refused host)."""

    status_code: int | None = None
    error: str | None = None
    retry_after: float | None = None

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


@dataclass(frozen=True, slots=True)
class Delivery:
    """One event for one subscription. Its id is the ``webhook-id`` receivers deduplicate
    on: the same for every attempt, and for a redelivery."""

    id: str
    subscription_id: str
    event_id: str
    event_type: str
    payload: str
    status: DeliveryStatus
    attempts: int
    next_attempt_at: datetime | None
    created_at: datetime
    updated_at: datetime
    last_status_code: int | None = None
    last_error: str | None = None
    delivered_at: datetime | None = None

    @classmethod
    def queue(
        cls, subscription_id: str, event_id: str, event_type: str, payload: str, now: datetime
    ) -> Self:
        return cls(
            id=f"msg_{time_ordered_uuid().replace('-', '')}",
            subscription_id=subscription_id,
            event_id=event_id,
            event_type=event_type,
            payload=payload,
            status=DeliveryStatus.PENDING,
            attempts=0,
            next_attempt_at=now,
            created_at=now,
            updated_at=now,
        )

    def attempted(
        self,
        outcome: Outcome,
        now: datetime,
        backoff: Backoff,
        jitter: Callable[[], float] = random.random,
    ) -> Self:
        """The delivery after one more attempt: delivered, to be retried, or dead."""
        attempts = self.attempts + 1
        done = replace(
            self,
            attempts=attempts,
            updated_at=now,
            last_status_code=outcome.status_code,
            last_error=outcome.error,
        )
        if outcome.succeeded:
            return replace(
                done, status=DeliveryStatus.DELIVERED, delivered_at=now, next_attempt_at=None
            )
        if attempts >= backoff.max_attempts:
            return replace(done, status=DeliveryStatus.DEAD, next_attempt_at=None)
        pause = backoff.pause(attempts, outcome.retry_after, jitter=jitter())
        return replace(
            done,
            status=DeliveryStatus.FAILED_RETRYING,
            next_attempt_at=now + timedelta(seconds=pause),
        )

    def redelivered(self, now: datetime) -> Self:
        """A new series of attempts for a dead or delivered delivery (same webhook-id)."""
        if self.status not in (DeliveryStatus.DEAD, DeliveryStatus.DELIVERED):
            raise Conflict(f"delivery {self.id} is {self.status}: it is still being tried")
        return replace(
            self, status=DeliveryStatus.PENDING, attempts=0, next_attempt_at=now, updated_at=now
        )
