"""Group commit: the requests that arrive together are handled in one transaction, so a
busy process pays one transaction per batch instead of one per request.

Each caller awaits its own outcome. A batch handler answers one outcome per item (an
error that concerns only that item, or its result); when it raises instead, nothing of the
batch was kept, and its items are handled one by one so that only a failing one reports
an error. A request that finds a transaction free waits only for the event loop's next
turn, to share it with those submitted in the same turn: where a transaction never lets
the loop run (SQLite's statements run in it, ADR 0013), that turn is the only chance for
requests to share one. What arrives while the transactions are busy waits for the next.

With a window, a transaction starts no sooner than that after the previous one ended
(unless a whole batch is waiting): under a steady stream, what arrives meanwhile shares
one transaction instead of each taking a transaction of its own the moment one is free.
A request after a quiet spell still goes at the loop's next turn.
"""

import asyncio
import contextlib
import math
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")

BatchHandler = Callable[[Sequence[T]], Awaitable[Sequence[R | Exception]]]
SingleHandler = Callable[[T], Awaitable[R]]


class GroupCommit(Generic[T, R]):
    """Up to ``concurrency`` transactions at a time, each handling the requests waiting when
    it begins. With more than one, a slow transaction (a row lock held elsewhere, say)
    does not hold back every request. ``window`` (seconds) spaces the transactions out,
    as the module says."""

    def __init__(
        self,
        handle_all: BatchHandler[T, R],
        handle_one: SingleHandler[T, R],
        *,
        max_batch: int = 100,
        concurrency: int = 1,
        window: float = 0.0,
    ) -> None:
        self._handle_all = handle_all
        self._handle_one = handle_one
        self.max_batch = max_batch
        self._concurrency = concurrency
        self._window = window  # seconds
        self._waiting: list[tuple[T, asyncio.Future[R]]] = []
        self._in_flight = 0  # transactions being handled, or about to be
        self._gathering = 0  # of them, those that have not taken their batch yet
        self._flushers: set[asyncio.Task[None]] = set()
        self._last_ended = -math.inf  # the event loop's time
        self._batch_full = asyncio.Event()

    async def submit(self, item: T) -> R:
        """Handle ``item`` in the next transaction; answers what its handling answered, or
        raises what it raised. It is handled whether or not its caller still waits, unless
        its transaction had not begun."""
        outcome: asyncio.Future[R] = asyncio.get_running_loop().create_future()
        self._waiting.append((item, outcome))
        if len(self._waiting) >= self.max_batch:
            self._batch_full.set()
        self._flush_if_waiting()
        return await outcome

    def _window_left(self) -> float:
        """Seconds until ``window`` has passed since the last transaction ended."""
        return self._last_ended + self._window - asyncio.get_running_loop().time()

    async def _let_the_window_pass(self) -> None:
        """Until ``window`` after the last transaction ended, or until a batch is full."""
        pause = self._window_left()
        if pause <= 0 or len(self._waiting) >= self.max_batch:
            # Still one turn of the event loop: a task woken for what the last transaction
            # handed back (SQLite's one connection, say) takes it before the next batch
            # could take it ahead of it, which would starve the event subscribers.
            await asyncio.sleep(0)
            return
        self._batch_full.clear()
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(pause):
                await self._batch_full.wait()

    def _flush_if_waiting(self) -> None:
        # One transaction gathering at a time: it takes all that waits when it begins.
        if self._waiting and not self._gathering and self._in_flight < self._concurrency:
            self._in_flight += 1
            self._gathering += 1
            flusher = asyncio.create_task(self._flush())
            self._flushers.add(flusher)
            flusher.add_done_callback(self._flushers.discard)

    async def _flush(self) -> None:
        try:
            while True:
                try:
                    await self._let_the_window_pass()
                finally:
                    self._gathering -= 1
                # A caller that stopped waiting before its batch began is left out of it.
                waiting = [(item, future) for item, future in self._waiting if not future.done()]
                batch, self._waiting = waiting[: self.max_batch], waiting[self.max_batch :]
                if not batch:
                    return
                self._flush_if_waiting()  # the rest, in another transaction if one is free
                try:
                    await self._handle(batch)
                finally:
                    self._last_ended = asyncio.get_running_loop().time()
                    for _, future in batch:  # the flusher itself was cancelled
                        if not future.done():
                            future.cancel()
                if not self._waiting:
                    return
                self._gathering += 1
        finally:
            self._in_flight -= 1

    async def _handle(self, batch: list[tuple[T, asyncio.Future[R]]]) -> None:
        if len(batch) > 1:
            try:
                outcomes = await self._handle_all([item for item, _ in batch])
            except Exception:  # each item's own handling below reports it
                pass
            else:
                for (_, future), outcome in zip(batch, outcomes, strict=True):
                    _settle(future, outcome)
                return
        for item, future in batch:
            try:
                result = await self._handle_one(item)
            except Exception as error:  # reported to its caller
                _settle(future, error)
            else:
                _settle(future, result)


def _settle(future: asyncio.Future[R], outcome: R | Exception) -> None:
    if future.done():  # its caller stopped waiting
        return
    if isinstance(outcome, Exception):
        future.set_exception(outcome)
    else:
        future.set_result(outcome)
