"""The webhooks' fan-out passes over the events no webhook follows, knowing which within
a second of a change (at once in the process that made it); the relay asks which, to bind
the fan-out's queue to those only."""

import uuid

from logistics_platform.backoffice.application.webhooks import FollowedEvents
from logistics_platform.shared.application.envelope import EventEnvelope
from logistics_platform.shared.domain.events import utc_now


def an_event(name: str) -> EventEnvelope:
    id = str(uuid.uuid4())
    return EventEnvelope(
        event_id=id, name=name, occurred_on=utc_now(), aggregate_id=id, attributes={}
    )


class Subscriptions:
    def __init__(self) -> None:
        self.follow: frozenset[str] = frozenset()
        self.reads = 0
        self.now = 0.0

    async def read(self) -> frozenset[str]:
        self.reads += 1
        return self.follow


async def test_only_followed_events_pass_and_the_names_are_read_once_per_second() -> None:
    subscriptions = Subscriptions()
    subscriptions.follow = frozenset({"logistics.package.delivered"})
    followed = FollowedEvents(subscriptions.read, ttl=1.0, clock=lambda: subscriptions.now)
    delivered, reserved = an_event("logistics.package.delivered"), an_event("inventory.x")

    assert await followed.of([delivered, reserved]) == [delivered]
    subscriptions.follow = frozenset({"*"})
    subscriptions.now = 0.5
    assert await followed.of([reserved]) == []  # not read again yet
    subscriptions.now = 1.0
    assert await followed.of([delivered, reserved]) == [delivered, reserved]
    assert subscriptions.reads == 2


async def test_a_change_made_here_is_seen_at_once() -> None:
    subscriptions = Subscriptions()
    followed = FollowedEvents(subscriptions.read, ttl=60.0, clock=lambda: subscriptions.now)
    reserved = an_event("inventory.stock_item.reserved")
    assert await followed.of([reserved]) == []

    subscriptions.follow = frozenset({"inventory.stock_item.reserved"})
    followed.forget()

    assert await followed.of([reserved]) == [reserved]


async def test_among_names_the_followed_events_of_those_asked_about() -> None:
    subscriptions = Subscriptions()
    followed = FollowedEvents(subscriptions.read, ttl=60.0, clock=lambda: subscriptions.now)
    known = frozenset({"logistics.package.delivered", "inventory.stock_item.reserved"})
    subscriptions.follow = frozenset({"logistics.package.delivered", "some.other.event"})

    assert await followed.among(known) == {"logistics.package.delivered"}
    subscriptions.follow = frozenset({"*"})
    followed.forget()
    assert await followed.among(known) == known
