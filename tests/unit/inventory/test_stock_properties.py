"""Properties over random mixes of commands and package events, redelivered and reordered:
the stock invariant holds and every reaction converges."""

import asyncio
import contextlib
import itertools
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from logistics_platform.inventory.application.commands import (
    AdjustStock,
    ExpireReservation,
    ReleaseReservation,
    ReplenishStock,
    ReserveStock,
)
from logistics_platform.inventory.application.handlers import HANDLERS
from logistics_platform.inventory.application.subscribers import REACTIONS
from logistics_platform.inventory.domain.events import StockItemAdjusted, StockItemReplenished
from logistics_platform.inventory.domain.records import ReservationStatus
from logistics_platform.inventory.domain.values import StockItemId
from logistics_platform.shared.application.command_bus import CommandBus
from logistics_platform.shared.application.subscriber import Subscriber
from logistics_platform.shared.domain.errors import DomainError
from tests.fakes.inventory import FakeInventoryUnitOfWork
from tests.mothers.inventory import a_package_event, an_add_stock_item

RESERVATIONS = ["r0", "r1", "r2", "r3"]
LATER = datetime.now(UTC) + timedelta(days=60)  # every reservation with a TTL is past it

reservation = st.sampled_from(RESERVATIONS)
step = st.one_of(
    st.tuples(st.just("reserve"), reservation, st.integers(1, 30), st.sampled_from([None, 60])),
    st.tuples(st.just("release"), reservation),
    st.tuples(st.just("expire"), reservation),
    st.tuples(st.just("replenish"), st.sampled_from(["dn-1", "dn-2"]), st.integers(1, 20)),
    st.tuples(st.just("adjust"), st.sampled_from(["c-1", "c-2"]), st.integers(0, 80)),
    st.tuples(st.sampled_from(["dispatched", "cancelled", "returned"]), reservation),
)


class Inventory:
    """One stock item, its commands through the bus and its reactions as subscribers."""

    def __init__(self) -> None:
        self.uow = FakeInventoryUnitOfWork()
        self.bus = CommandBus(dict(HANDLERS), lambda _c: self.uow, concurrency=1)
        self.reactions = {
            event: Subscriber(name, frozenset({event}), react, lambda _c: self.uow)
            for name, event, react in REACTIONS
        }
        self.added = an_add_stock_item(quantity=40)
        self.id = self.added.id

    async def run(self, steps: Sequence[tuple[Any, ...]], *, redeliver: bool) -> None:
        await self.bus.handle(self.added)
        for kind, key, *rest in steps:
            for _ in range(2 if redeliver else 1):
                # A refusal changes nothing, which the invariant checks.
                with contextlib.suppress(DomainError):
                    await self._apply(kind, key, *rest)

    async def _apply(self, kind: str, key: str, *rest: Any) -> None:
        if kind == "reserve":
            await self.bus.handle(ReserveStock(self.id, rest[0], key, ttl_seconds=rest[1]))
        elif kind == "release":
            await self.bus.handle(ReleaseReservation(key))
        elif kind == "expire":
            await self.bus.handle(ExpireReservation(key, LATER))
        elif kind == "replenish":
            await self.bus.handle(ReplenishStock(self.id, rest[0], key))
        elif kind == "adjust":
            await self.bus.handle(AdjustStock(self.id, rest[0], "count", key))
        else:
            event = a_package_event(kind, key)
            await self.reactions[event.name].deliver(event)

    def received(self) -> int:
        published = self.uow.published
        return (
            40
            + sum(e.quantity for e in published if isinstance(e, StockItemReplenished))
            + sum(e.delta for e in published if isinstance(e, StockItemAdjusted))
        )


@settings(max_examples=150, deadline=None)
@given(steps=st.lists(step, max_size=25), redeliver=st.booleans())
def test_received_always_equals_available_plus_reserved_plus_shipped(
    steps: list[tuple[Any, ...]], redeliver: bool
) -> None:
    inventory = Inventory()
    asyncio.run(inventory.run(steps, redeliver=redeliver))
    repository = inventory.uow.stock_items
    item = repository.items[StockItemId(inventory.id)]
    stock = item.available.value + item.reserved.value + item.shipped.value
    assert stock == inventory.received()
    reservations = repository.reservations.values()
    held = [r for r in reservations if r.status is ReservationStatus.HELD]
    out = [r for r in reservations if r.status is ReservationStatus.COMMITTED and not r.restocked]
    assert item.reserved.value == sum(r.quantity.value for r in held)
    assert item.shipped.value == sum(r.quantity.value for r in out)


PACKAGE_LIVES = [
    ["dispatched", "dispatched", "returned"],  # failed, dispatched again, returned
    ["dispatched", "returned"],
    ["cancelled"],
    ["dispatched"],
]


@settings(max_examples=60, deadline=None)
@given(
    life=st.sampled_from(PACKAGE_LIVES),
    order=st.randoms(use_true_random=False),
    copies=st.integers(1, 3),
    released_first=st.booleans(),
)
def test_a_package_s_events_in_any_order_and_number_converge(
    life: list[str], order: Any, copies: int, released_first: bool
) -> None:
    def outcome(events: list[str]) -> tuple[object, ...]:
        inventory = Inventory()
        prelude = [("reserve", "r0", 5, None)] + ([("release", "r0")] if released_first else [])
        asyncio.run(inventory.run([*prelude, *((e, "r0") for e in events)], redeliver=False))
        repository = inventory.uow.stock_items
        item = repository.items[StockItemId(inventory.id)]
        found = repository.reservations[next(iter(repository.reservations))]
        stock = (item.available.value, item.reserved.value, item.shipped.value)
        return stock, found.status, found.restocked, found.problem

    shuffled = list(itertools.chain.from_iterable([life] * copies))
    order.shuffle(shuffled)
    assert outcome(shuffled) == outcome(life)
