"""Waiting for something to happen, on a machine that may be busy with other work.

A test waits for the event it needs (a condition polled until it holds), never for a fixed
time; the ceilings are generous, because a loaded machine is slow, not broken. A wait that
runs out fails with what was awaited and, when given, what the processes said meanwhile.
"""

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")

# How long a test is willing to wait, at most, on a loaded machine.
PROCESS_START = 120.0  # a `logistics ...` process: interpreter, imports, connections, ports
PROPAGATION = 60.0  # an event through the outbox, the broker and the subscribers


async def eventually(
    check: Callable[[], Awaitable[T]],
    *,
    within: float = PROPAGATION,
    what: str = "condition",
    details: Callable[[], str] = str,
    every: float = 0.05,
) -> T:
    """The first truthy result of ``check``, polled for ``within`` seconds at most."""
    deadline = time.monotonic() + within
    while True:
        result = await check()
        if result:
            return result
        if time.monotonic() > deadline:
            message = f"timed out after {within:g} s waiting for {what} (last: {result!r})"
            raise AssertionError(f"{message}\n{details()}")
        await asyncio.sleep(every)


def wait_until(
    check: Callable[[], T],
    *,
    within: float = PROPAGATION,
    what: str = "condition",
    details: Callable[[], str] = str,
    every: float = 0.05,
) -> T:
    """:func:`eventually` for synchronous tests."""
    deadline = time.monotonic() + within
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            message = f"timed out after {within:g} s waiting for {what} (last: {result!r})"
            raise AssertionError(f"{message}\n{details()}")
        time.sleep(every)
