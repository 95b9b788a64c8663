"""The webhook dispatcher: sends due deliveries, a bounded number at once.

At most ``concurrency`` sends are in flight, and at most ``per_endpoint`` to one
subscription: a receiver that hangs holds its own slots until its timeout, never the
others'. Each delivery is leased while it is tried, so that several dispatchers (replicas)
never make the same attempt twice; a dispatcher that dies leaves leases that run out, and
the delivery is tried again (at least once).
"""

import abc
import asyncio
import contextlib
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta

import structlog

from logistics_platform.backoffice.application.webhooks import (
    Claimed,
    WebhookUnitOfWork,
    utc_now,
)
from logistics_platform.backoffice.domain.webhook_deliveries import Backoff, Delivery, Outcome
from logistics_platform.backoffice.domain.webhooks import Subscription
from logistics_platform.shared.application.unit_of_work import Causation

log = structlog.get_logger(__name__)

# Beyond the send's own timeout, how long a lease lasts (recording the outcome, a pause).
_LEASE_MARGIN = timedelta(seconds=30)


class Sender(abc.ABC):
    @abc.abstractmethod
    async def send(self, subscription: Subscription, delivery: Delivery) -> Outcome:
        """One signed attempt, within the timeout; failures are outcomes, not errors."""


class WebhookDispatcher:
    def __init__(
        self,
        unit_of_work: Callable[[Causation], WebhookUnitOfWork],
        sender: Callable[[], Sender],
        *,
        backoff: Backoff,
        timeout: float,
        concurrency: int,
        per_endpoint: int,
        poll_interval: float = 1.0,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        # Built when the first delivery goes out: a process that sends none (most starts
        # of `serve`) never loads the HTTP client.
        self._sender = sender
        self._unit_of_work, self._backoff = unit_of_work, backoff
        self._lease = timedelta(seconds=timeout) + _LEASE_MARGIN
        self._concurrency, self._per_endpoint = concurrency, per_endpoint
        self._poll_interval, self._clock = poll_interval, clock
        self._in_flight: Counter[str] = Counter()  # sends per subscription
        self._tasks: set[asyncio.Task[None]] = set()  # sends
        self._chores: set[asyncio.Task[None]] = set()
        self._wake_up = asyncio.Event()

    def notify(self) -> None:
        """Deliveries were queued (or a slot freed): look for due ones now."""
        self._wake_up.set()

    async def run(self) -> None:
        """Send what is due until cancelled; a failed look (the database away, say) is
        logged and tried again at the next poll."""
        try:
            while True:
                self._wake_up.clear()
                try:
                    await self.start_due()
                except Exception as error:
                    log.warning("webhook dispatch failed", error=repr(error))
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(self._poll_interval):
                        await self._wake_up.wait()
        finally:
            for task in self._tasks:
                task.cancel()
            await asyncio.gather(*self._tasks, *self._chores, return_exceptions=True)

    async def start_due(self) -> int:
        """Start sending what is due, as far as free slots allow; how many were started."""
        started = 0
        while free := self._concurrency - len(self._tasks):
            claimed = await self._claim(free)
            if not claimed:
                break
            started += self._start(claimed)
        return started

    async def _claim(self, limit: int) -> list[Claimed]:
        busy = frozenset(s for s, n in self._in_flight.items() if n >= self._per_endpoint)
        now = self._clock()
        async with self._unit_of_work(Causation()) as uow:
            claimed = await uow.deliveries.claim_due(now, now + self._lease, limit, busy)
            await uow.commit()
        return claimed

    def _start(self, claimed: list[Claimed]) -> int:
        """Send those the subscriptions have slots for; hand back the other leases (their
        subscription is busy now: the next claim passes them over)."""
        handed_back: list[str] = []
        for one in claimed:
            subscription = one.subscription.id
            if self._in_flight[subscription] >= self._per_endpoint:
                handed_back.append(one.delivery.id)
                continue
            self._in_flight[subscription] += 1
            task = asyncio.create_task(self._attempt(one), name=f"webhook {one.delivery.id}")
            self._tasks.add(task)
            task.add_done_callback(self._done(subscription))
        if handed_back:
            chore = asyncio.create_task(self._hand_back(handed_back))
            self._chores.add(chore)  # not a send: it takes no slot
            chore.add_done_callback(self._chores.discard)
        return len(claimed) - len(handed_back)

    def _done(self, subscription: str) -> Callable[[asyncio.Task[None]], None]:
        def done(task: asyncio.Task[None]) -> None:
            self._tasks.discard(task)
            self._in_flight[subscription] -= 1
            if not self._in_flight[subscription]:
                del self._in_flight[subscription]
            self.notify()

        return done

    async def _hand_back(self, delivery_ids: list[str]) -> None:
        try:
            async with self._unit_of_work(Causation()) as uow:
                await uow.deliveries.release(delivery_ids)
                await uow.commit()
        except Exception as error:  # the leases run out by themselves
            log.warning("webhook leases not released", error=repr(error))

    async def _attempt(self, claimed: Claimed) -> None:
        delivery = claimed.delivery
        outcome = await self._sender().send(claimed.subscription, delivery)
        after = delivery.attempted(outcome, self._clock(), self._backoff)
        (log.debug if outcome.succeeded else log.info)(
            "webhook attempt",
            delivery_id=delivery.id,
            url=claimed.subscription.url,
            status=after.status,
            status_code=outcome.status_code,
            error=outcome.error,
        )
        try:
            async with self._unit_of_work(Causation()) as uow:
                await uow.deliveries.save(after)
                await uow.commit()
        except Exception as error:  # its lease runs out: it is tried again
            log.warning("webhook outcome not recorded", delivery_id=delivery.id, error=repr(error))
