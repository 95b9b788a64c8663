"""Deliveries that arrive together share one transaction; a failure stays with its event."""

import asyncio
import uuid
from dataclasses import dataclass, field

import pytest

from logistics_platform.shared.application.envelope import EventEnvelope
from logistics_platform.shared.application.grouped_delivery import GroupedDelivery
from logistics_platform.shared.application.subscriber import Subscriber
from logistics_platform.shared.application.unit_of_work import UnitOfWork
from logistics_platform.shared.domain.events import utc_now


def an_event(name: str = "test.happened") -> EventEnvelope:
    id = str(uuid.uuid4())
    return EventEnvelope(
        event_id=id, name=name, occurred_on=utc_now(), aggregate_id=id, attributes={}
    )


@dataclass
class Store:
    handled: set[str] = field(default_factory=set)
    transactions: list[list[str]] = field(default_factory=list)


class RecordingUnitOfWork(UnitOfWork):
    def __init__(self, store: Store) -> None:
        self.store = store
        self.claimed: set[str] = set()
        self.handled_here: list[str] = []

    async def commit(self) -> None:
        await asyncio.sleep(0)  # a moment, as a database's commit takes: others arrive
        self.store.handled |= self.claimed
        self.store.transactions.append(self.handled_here)

    async def rollback(self) -> None:
        self.claimed = set()

    async def claim(self, subscriber: str, event_id: str) -> bool:
        if event_id in self.store.handled | self.claimed:
            return False
        self.claimed.add(event_id)
        return True


async def handle(envelope: EventEnvelope, uow: RecordingUnitOfWork) -> None:
    if envelope.name == "test.poison":
        raise ValueError("cannot handle this one")
    uow.handled_here.append(envelope.event_id)


@pytest.fixture
def store() -> Store:
    return Store()


@pytest.fixture
def delivery(store: Store) -> GroupedDelivery:
    subscriber = Subscriber(
        "test.recording", frozenset({"test.happened"}), handle, lambda _: RecordingUnitOfWork(store)
    )
    return GroupedDelivery(subscriber, max_batch=4)


async def test_events_arriving_together_are_handled_in_order_in_shared_transactions(
    store: Store, delivery: GroupedDelivery
) -> None:
    events = [an_event() for _ in range(10)]

    await asyncio.gather(*(delivery.deliver(event) for event in events))

    # Up to max_batch a transaction, one after the other.
    assert [len(t) for t in store.transactions] == [4, 4, 2]
    assert [id for handled in store.transactions for id in handled] == [e.event_id for e in events]


async def test_an_event_arriving_twice_in_a_batch_is_handled_once(
    store: Store, delivery: GroupedDelivery
) -> None:
    event = an_event()

    await asyncio.gather(delivery.deliver(event), delivery.deliver(event))

    assert store.transactions == [[event.event_id]]


async def test_a_failing_event_fails_alone_and_the_others_of_its_batch_are_handled(
    store: Store, delivery: GroupedDelivery
) -> None:
    good, poison, other = an_event(), an_event("test.poison"), an_event()

    outcomes = await asyncio.gather(
        *(delivery.deliver(event) for event in (good, poison, other)), return_exceptions=True
    )

    assert outcomes[0] is None
    assert isinstance(outcomes[1], ValueError)
    assert outcomes[2] is None
    assert store.handled == {good.event_id, other.event_id}
    assert store.transactions[-2:] == [[good.event_id], [other.event_id]]


async def test_a_caller_that_stops_waiting_does_not_stop_the_others(
    store: Store, delivery: GroupedDelivery
) -> None:
    first, second = an_event(), an_event()
    abandoned = asyncio.create_task(delivery.deliver(first))
    await asyncio.sleep(0)
    abandoned.cancel()

    await delivery.deliver(second)

    assert second.event_id in store.handled


async def test_events_a_subscriber_does_not_want_are_passed_over_without_a_transaction(
    store: Store,
) -> None:
    async def only_wanted(events: "list[EventEnvelope]") -> "list[EventEnvelope]":
        return [event for event in events if event.name == "test.wanted"]

    picky = Subscriber(
        "test.picky",
        frozenset({"test.wanted", "test.happened"}),
        handle,
        lambda _causation: RecordingUnitOfWork(store),
        wants=only_wanted,
    )
    unwanted, wanted = an_event("test.happened"), an_event("test.wanted")

    assert await picky.deliver_all([unwanted]) is False
    await picky.deliver_all([unwanted, wanted])

    assert store.transactions == [[wanted.event_id]]
    assert store.handled == {wanted.event_id}  # the unwanted one has no record
