"""Group commit: the requests submitted in one turn of the event loop share a transaction,
those arriving while it runs share the next one, each answered with its own outcome."""

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field

import pytest

from logistics_platform.shared.application.group_commit import GroupCommit


class Refused(Exception):
    pass


@dataclass
class Ledger:
    """Handles numbers; odd ones are refused. Each call takes a moment, as a commit does."""

    batches: list[list[int]] = field(default_factory=list)
    singles: list[int] = field(default_factory=list)
    batches_fail: bool = False
    started: asyncio.Event = field(default_factory=asyncio.Event)
    release: asyncio.Event | None = None
    began: list[float] = field(default_factory=list)  # the loop's time at each transaction
    ended: list[float] = field(default_factory=list)

    async def handle_all(self, items: Sequence[int]) -> list[Exception | None]:
        self.began.append(asyncio.get_running_loop().time())
        await asyncio.sleep(0)
        self.ended.append(asyncio.get_running_loop().time())
        if self.batches_fail:
            raise RuntimeError("the database went away")
        self.batches.append(list(items))
        return [Refused(str(n)) if n % 2 else None for n in items]

    async def handle_one(self, item: int) -> None:
        self.began.append(asyncio.get_running_loop().time())
        self.started.set()
        if self.release is not None:
            await self.release.wait()
        await asyncio.sleep(0)
        self.singles.append(item)
        self.ended.append(asyncio.get_running_loop().time())
        if item % 2:
            raise Refused(str(item))


@pytest.fixture
def ledger() -> Ledger:
    return Ledger()


@pytest.fixture
def group(ledger: Ledger) -> GroupCommit[int, None]:
    return GroupCommit(ledger.handle_all, ledger.handle_one, max_batch=3)


async def test_requests_submitted_together_share_batches_each_with_its_outcome(
    ledger: Ledger, group: GroupCommit[int, None]
) -> None:
    outcomes = await asyncio.gather(*(group.submit(n) for n in range(7)), return_exceptions=True)

    assert ledger.batches == [[0, 1, 2], [3, 4, 5]]
    assert ledger.singles == [6]  # a batch of one is handled as one
    assert [type(outcome) for outcome in outcomes] == [type(None), Refused] * 3 + [type(None)]


async def test_requests_arriving_while_a_transaction_runs_share_the_next(
    ledger: Ledger, group: GroupCommit[int, None]
) -> None:
    ledger.release = asyncio.Event()
    first = asyncio.create_task(group.submit(0))
    await ledger.started.wait()
    later = [asyncio.create_task(group.submit(n)) for n in (2, 4)]
    await asyncio.sleep(0)
    ledger.release.set()

    await asyncio.gather(first, *later)

    assert ledger.singles == [0]
    assert ledger.batches == [[2, 4]]


async def test_a_failing_batch_is_handled_one_by_one(
    ledger: Ledger, group: GroupCommit[int, None]
) -> None:
    ledger.batches_fail = True

    outcomes = await asyncio.gather(*(group.submit(n) for n in range(4)), return_exceptions=True)

    assert ledger.batches == []
    assert ledger.singles == [0, 1, 2, 3]
    assert [type(outcome) for outcome in outcomes] == [type(None), Refused, type(None), Refused]


async def test_a_request_cancelled_while_its_transaction_runs_is_still_handled(
    ledger: Ledger, group: GroupCommit[int, None]
) -> None:
    ledger.release = asyncio.Event()
    abandoned = asyncio.create_task(group.submit(2))
    await ledger.started.wait()
    abandoned.cancel()
    with pytest.raises(asyncio.CancelledError):
        await abandoned
    ledger.release.set()

    await group.submit(4)  # after the abandoned one's transaction

    assert ledger.singles == [2, 4]


async def test_a_request_cancelled_before_its_batch_begins_is_left_out(
    ledger: Ledger, group: GroupCommit[int, None]
) -> None:
    ledger.release = asyncio.Event()
    first = asyncio.create_task(group.submit(0))
    await ledger.started.wait()
    abandoned = asyncio.create_task(group.submit(2))
    kept = [asyncio.create_task(group.submit(n)) for n in (4, 6)]
    await asyncio.sleep(0)
    abandoned.cancel()
    ledger.release.set()

    await asyncio.gather(first, *kept)

    assert abandoned.cancelled()
    assert ledger.singles == [0]
    assert ledger.batches == [[4, 6]]


async def test_a_slow_transaction_holds_back_only_its_own_requests(ledger: Ledger) -> None:
    group = GroupCommit(ledger.handle_all, ledger.handle_one, max_batch=3, concurrency=2)
    ledger.release = asyncio.Event()
    stuck = asyncio.create_task(group.submit(0))  # waits for a lock held elsewhere
    await ledger.started.wait()
    ledger.release = None

    await asyncio.gather(*(group.submit(n) for n in (2, 4, 6)))

    assert not stuck.done()
    assert ledger.batches == [[2, 4, 6]]
    stuck.cancel()


async def test_with_a_window_a_request_after_a_quiet_spell_is_handled_at_once(
    ledger: Ledger,
) -> None:
    group = GroupCommit(ledger.handle_all, ledger.handle_one, max_batch=3, window=60.0)

    async with asyncio.timeout(30):  # far less than the window
        await group.submit(2)

    assert ledger.singles == [2]


async def test_with_a_window_requests_soon_after_a_transaction_wait_for_it_and_share_one(
    ledger: Ledger,
) -> None:
    window = 1.0  # wide enough that a busy machine submits both within it
    group = GroupCommit(ledger.handle_all, ledger.handle_one, max_batch=3, window=window)
    await group.submit(0)

    later = [asyncio.create_task(group.submit(2))]
    await asyncio.sleep(window / 4)  # a transaction is free: without a window, 2 went alone
    later.append(asyncio.create_task(group.submit(4)))
    await asyncio.gather(*later)

    assert ledger.singles == [0]
    assert ledger.batches == [[2, 4]]
    assert ledger.began[1] - ledger.ended[0] >= window * 0.9  # the loop's clock rounds


async def test_with_a_window_a_full_batch_does_not_wait(ledger: Ledger) -> None:
    group = GroupCommit(ledger.handle_all, ledger.handle_one, max_batch=3, window=60.0)
    await group.submit(0)

    async with asyncio.timeout(30):  # far less than the window
        await asyncio.gather(*(group.submit(n) for n in (2, 4, 6)), return_exceptions=True)

    assert ledger.batches == [[2, 4, 6]]


async def test_with_a_window_the_batches_of_a_backlog_follow_one_another_at_once(
    ledger: Ledger,
) -> None:
    group = GroupCommit(ledger.handle_all, ledger.handle_one, max_batch=3, window=60.0)
    ledger.release = asyncio.Event()
    first = asyncio.create_task(group.submit(0))
    await ledger.started.wait()
    backlog = [asyncio.create_task(group.submit(n)) for n in (2, 4, 6, 8, 10, 12)]
    await asyncio.sleep(0)
    ledger.release.set()

    async with asyncio.timeout(30):  # far less than the window
        await asyncio.gather(first, *backlog)

    assert ledger.batches == [[2, 4, 6], [8, 10, 12]]
