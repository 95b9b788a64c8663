"""Retrying: a command whose aggregate was changed under it, and whatever waits for a
backing service to come back."""

import asyncio
import random
import time
from collections.abc import Awaitable, Callable, Iterator
from typing import TypeVar

from logistics_platform.shared.domain.errors import ConcurrentModification

T = TypeVar("T")


async def retry_on_concurrent_modification(
    attempt: Callable[[], Awaitable[T]], *, give_up_after: float = 10.0
) -> T:
    """Run ``attempt`` until it is not beaten by a concurrent writer.

    Waits a random, growing pause between tries (full jitter) so contenders spread out.
    After ``give_up_after`` seconds the last ``ConcurrentModification`` (a 409) propagates.
    """
    deadline = time.monotonic() + give_up_after
    pauses = growing_pauses(0.002, most=0.1)
    while True:
        try:
            return await attempt()
        except ConcurrentModification:
            if time.monotonic() >= deadline:
                raise
            await asyncio.sleep(random.uniform(0, next(pauses)))


def growing_pauses(first: float = 0.2, *, most: float = 5.0) -> Iterator[float]:
    """Pauses between tries: ``first``, doubling each time up to ``most``, then ``most``."""
    pause = first
    while True:
        yield pause
        pause = min(pause * 2, most)
